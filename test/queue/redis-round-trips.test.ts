// Round trips to Redis per notification on the durable queue's hot path: one notification enqueued, claimed,
// delivered, acked, with a second job of the same ordering key handed to the worker by the first one's ack. A
// round trip is one write to a Redis socket (ioredis sends a pipeline as one write) carrying the queue's keys
// (rn:queue:{…}), split into the notification's own (enqueue, claim, ack) and an idle worker's wake-up (its take
// after the marker woke it, and its next blocking read): a worker that is busy gets its next jobs with its acks
// and has no wake-up.

import { readdirSync } from "node:fs";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { LuaScript } from "../../src/redis/lua-script.ts";
import { eventually, FakeSink, makeJob } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

/** The hot path: enqueue (record, its key's order, the ready set), claim + rate + attempt, ack + hand-off. */
const MAX_OWN_ROUND_TRIPS = 3;
/** The first job's ack (which hands the next job of its key to the worker), and that next job's claim and ack. */
const MAX_OWN_ROUND_TRIPS_PROMOTED = 3;
/** An idle worker woken by the enqueue: its take, and its blocking read again afterwards. */
const MAX_WAKE_UP_ROUND_TRIPS = 2;

const kit = useRedisQueues();

interface Counts {
  own: number;
  wakeUp: number;
  other: number;
  writes: string[];
}

/** Counts writes to the test's redis-server while `counting` is on (every Redis socket in this process). */
function countRoundTrips(port: number, queueName: string) {
  const counts: Counts = { own: 0, wakeUp: 0, other: 0, writes: [] };
  let counting = false;
  const original = net.Socket.prototype.write;
  const ownMark = `rn:queue:{${queueName}}`;
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (counting && this.remotePort === port) {
      const text = Buffer.isBuffer(chunk) ? chunk.toString("latin1") : String(chunk);
      const names = commandNames(text);
      const kind = !text.includes(ownMark)
        ? "other"
        : names === "bzpopmin" || names === "take"
          ? "wakeUp"
          : "own";
      counts[kind]++;
      counts.writes.push(`${kind}:${names}`);
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof net.Socket.prototype.write;
  return {
    counts,
    reset() {
      counts.own = 0;
      counts.wakeUp = 0;
      counts.other = 0;
      counts.writes.length = 0;
    },
    start() {
      counting = true;
    },
    stop() {
      counting = false;
    },
    restore() {
      net.Socket.prototype.write = original;
    },
  };
}

/** The queue's scripts by SHA. */
const scriptNames = new Map(
  readdirSync(new URL("../../src/queue/lua/", import.meta.url))
    .filter((f) => f.endsWith(".lua"))
    .map((f) => [LuaScript.load(new URL(`../../src/queue/lua/${f}`, import.meta.url)).sha, f.slice(0, -4)]),
);

/** The command names of a RESP write, the queue's scripts by name, for the report (keys and data left out). */
function commandNames(resp: string): string {
  const names: string[] = [];
  for (const m of resp.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n(?:\$40\r\n([0-9a-f]{40})\r\n)?/g)) {
    const name = m[1]!.toLowerCase();
    names.push(name === "evalsha" && m[2] ? (scriptNames.get(m[2]) ?? "evalsha") : name);
  }
  return names.join("+");
}

describe("Redis round trips per notification", () => {
  it(`takes at most ${MAX_OWN_ROUND_TRIPS} round trips per notification, also for one handed over behind another of its key`, async () => {
    const queueName = "round-trips";
    const meter = countRoundTrips(kit.redis.port, queueName);
    try {
      const { queue, start } = kit.setup({ queueName });
      const sink = new FakeSink();
      let release: (() => void) | undefined;
      const first = makeJob({ rollout: "rt", trigger: "on-rollout-updated" });
      const second = makeJob({ rollout: "rt", trigger: "on-rollout-completed" });
      sink.plan = (id) =>
        id === first.jobId
          ? new Promise<void>((r) => {
              release = r;
            })
          : undefined;
      await start(sink, { concurrency: 4, repairIntervalMs: 600_000 });
      const delivered = (id: string) => sink.delivered().some((c) => c.jobId === id);
      // Warm up: scripts loaded, the worker's blocking read in place.
      const warm = makeJob({ rollout: "warm" });
      await queue.enqueue([warm]);
      await queue.waitUntilSettled([warm.jobId], { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 200));

      // The first job is in flight, the second queued behind it.
      await queue.enqueue([first, second]);
      await eventually(() => release !== undefined, "first delivery in flight");
      // Counted: the first's ack (handing over the second), then the second's claim and ack (its enqueue was
      // counted in a batch with the first; a third enqueue stands in for it below).
      meter.start();
      release!();
      await eventually(() => delivered(second.jobId), "second job delivered", 10_000);
      await new Promise((r) => setTimeout(r, 200)); // its ack, and anything the worker still does after it
      meter.stop();
      const promoted = { ...meter.counts, writes: [...meter.counts.writes] };

      // One fresh job on a free key, the worker idle: enqueue → wake-up → claim → deliver → ack.
      meter.reset();
      const single = makeJob({ rollout: "rt-single" });
      meter.start();
      await queue.enqueue([single]);
      await eventually(() => delivered(single.jobId), "single job delivered", 10_000);
      await new Promise((r) => setTimeout(r, 200));
      meter.stop();
      const fresh = meter.counts;

      expect(sink.delivered().map((c) => c.jobId)).toEqual([
        warm.jobId,
        first.jobId,
        second.jobId,
        single.jobId,
      ]);
      expect(await queue.waitUntilSettled([single.jobId, second.jobId])).toMatchObject({
        delivered: [single.jobId, second.jobId],
      });
      const report = `fresh job: own ${fresh.own}, wake-up ${fresh.wakeUp}, other ${fresh.other} [${fresh.writes.join(", ")}]; ack + handed-over job: own ${promoted.own}, wake-up ${promoted.wakeUp}, other ${promoted.other} [${promoted.writes.join(", ")}]`;
      console.info(`redis round trips — ${report}`);
      expect(fresh.own, report).toBeLessThanOrEqual(MAX_OWN_ROUND_TRIPS);
      expect(fresh.wakeUp, report).toBeLessThanOrEqual(MAX_WAKE_UP_ROUND_TRIPS);
      expect(promoted.own, report).toBeLessThanOrEqual(MAX_OWN_ROUND_TRIPS_PROMOTED);
      expect(promoted.wakeUp, report).toBe(0);
      expect(fresh.other + promoted.other, report).toBe(0);
    } finally {
      meter.restore();
    }
  });
});
