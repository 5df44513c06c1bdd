// Round trips to Redis per notification on the durable queue's hot path: one notification enqueued, claimed,
// delivered, acked, with a second job of the same ordering key promoted behind it. A round trip is one write to
// a Redis socket (ioredis sends a pipeline as one write): counted per socket write, split by whose keys it
// carries — the queue's own records (rn:queue:{…}) or BullMQ's (bull:…). A write carrying both (one pipeline)
// counts once, as ours. Not counted: a job that finds its key's head still in flight parks itself first (its claim
// says "behind", then it looks at the head again once delayed: 2 more of ours), and BullMQ's own commands are
// reported, not bounded (they depend on the worker's concurrency).
import net from "node:net";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { eventually, FakeSink, makeJob } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

/** Our hot path: enqueue (record + BullMQ job), claim + rate + attempt, ack + promote. */
const MAX_OWN_ROUND_TRIPS = 3;
/** The first job's ack (+ the promotion of the next: BullMQ's), and that next job's claim and ack. */
const MAX_OWN_ROUND_TRIPS_PROMOTED = 3;

const kit = useRedisQueues();

interface Counts {
  own: number;
  bullmq: number;
  writes: string[];
}

/** Counts writes to the test's redis-server while `counting` is on (every Redis socket in this process). */
function countRoundTrips(port: number, queueName: string) {
  const counts: Counts = { own: 0, bullmq: 0, writes: [] };
  let counting = false;
  const original = net.Socket.prototype.write;
  const ownMark = `rn:queue:{${queueName}}`;
  const bullMark = `bull:${queueName}:`;
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (counting && this.remotePort === port) {
      const text = Buffer.isBuffer(chunk) ? chunk.toString("latin1") : String(chunk);
      const own = text.includes(ownMark);
      if (own) counts.own++;
      else if (text.includes(bullMark)) counts.bullmq++;
      counts.writes.push(`${own ? "own" : "bullmq"}:${commandNames(text, scriptNames)}`);
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof net.Socket.prototype.write;
  return {
    counts,
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

/** The command names of a RESP write, BullMQ's scripts by name, for the report (keys and data left out). */
function commandNames(resp: string, scripts: Map<string, string>): string {
  const names: string[] = [];
  for (const m of resp.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n(?:\$40\r\n([0-9a-f]{40})\r\n)?/g)) {
    const name = m[1]!.toLowerCase();
    names.push(name === "evalsha" && m[2] ? (scripts.get(m[2]) ?? "evalsha") : name);
  }
  return names.join("+");
}

/** BullMQ's scripts by SHA (ioredis keeps the commands BullMQ defined on a client). */
const scriptNames = new Map<string, string>();
function learnScriptNames(client: Redis): void {
  const set = (client as unknown as { scriptsSet?: Record<string, { sha: string }> }).scriptsSet ?? {};
  for (const [name, script] of Object.entries(set)) scriptNames.set(script.sha, name.replace(/:.*$/, ""));
}

describe("Redis round trips per notification", () => {
  it(`takes at most ${MAX_OWN_ROUND_TRIPS} round trips of ours for a job that is promoted behind another of its key`, async () => {
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
      const worker = await start(sink, { headWaitMs: 60_000, concurrency: 4, repairIntervalMs: 600_000 });
      const completed = new Set<string>();
      worker.worker.on("completed", (job) => completed.add(job.data.jobId));
      // Warm up: scripts loaded, BullMQ's blocking read in place.
      const warm = makeJob({ rollout: "warm" });
      await queue.enqueue([warm]);
      await queue.waitUntilSettled([warm.jobId], { timeoutMs: 10_000 });
      await eventually(() => completed.has(warm.jobId), "warm-up job completed");
      for (const c of kit.connections()) learnScriptNames(c);

      // The first job is in flight, the second queued behind it (and already parked by its executor).
      await queue.enqueue([first, second]);
      await eventually(() => release !== undefined, "first delivery in flight");
      await eventually(
        async () => (await queue.bull.getJobState(second.jobId)) === "delayed",
        "second job parked behind the first",
      );
      // Counted: the first's ack + the promotion of the second, then the second's whole life (its enqueue was
      // counted in a batch with the first; a third enqueue stands in for it below).
      meter.start();
      release!();
      await eventually(() => completed.has(second.jobId), "second job completed", 10_000);
      await new Promise((r) => setTimeout(r, 200)); // anything the worker still does after completing
      meter.stop();
      const promoted = { ...meter.counts, writes: [...meter.counts.writes] };

      // One fresh job on a free key: enqueue → claim → deliver → ack.
      meter.counts.own = 0;
      meter.counts.bullmq = 0;
      meter.counts.writes.length = 0;
      const single = makeJob({ rollout: "rt-single" });
      meter.start();
      await queue.enqueue([single]);
      await eventually(() => completed.has(single.jobId), "single job completed", 10_000);
      await new Promise((r) => setTimeout(r, 200));
      meter.stop();
      const fresh = meter.counts;

      expect(sink.delivered().map((c) => c.jobId)).toEqual([
        warm.jobId,
        first.jobId,
        second.jobId,
        single.jobId,
      ]);
      const report = `fresh job: own ${fresh.own}, BullMQ ${fresh.bullmq} [${fresh.writes.join(", ")}]; ack + promoted job: own ${promoted.own}, BullMQ ${promoted.bullmq} [${promoted.writes.join(", ")}]`;
      console.info(`redis round trips — ${report}`);
      expect(fresh.own, report).toBeLessThanOrEqual(MAX_OWN_ROUND_TRIPS);
      expect(promoted.own, report).toBeLessThanOrEqual(MAX_OWN_ROUND_TRIPS_PROMOTED);
    } finally {
      meter.restore();
    }
  });
});
