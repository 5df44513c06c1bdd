// Crashes: a worker SIGKILLed mid-delivery, and Redis itself killed and restarted (appendonly).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { LuaScript } from "../../src/redis/lua-script.ts";
import { eventually, FakeSink, makeJob } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

const kit = useRedisQueues({ appendonly: true });

/**
 * A connection that answers a script's calls for one job with an error reply (`times` of them; every other command
 * goes through): what a worker sees of a Redis that refuses a command.
 */
function refusingScript(
  real: Redis,
  file: string,
  jobKey: string,
  message: string,
  times = Number.POSITIVE_INFINITY,
) {
  const sha = LuaScript.load(new URL(`../../src/queue/lua/${file}`, import.meta.url)).sha;
  const refusals = { count: 0 };
  const connection = new Proxy(real, {
    get(target, prop) {
      if (prop === "evalsha") {
        return (s: string, ...args: (string | number)[]) => {
          if (s === sha && refusals.count < times && args.includes(jobKey)) {
            refusals.count++;
            return Promise.reject(new Error(message));
          }
          return (target.evalsha as (...a: unknown[]) => Promise<unknown>)(s, ...args);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { connection, refusals };
}

const { setup, onClose } = kit;

describe("crash recovery", () => {
  it("delivers a job again through another worker when the first is SIGKILLed mid-delivery", async () => {
    const { queue, start, queueName } = setup({ queueName: "killed-worker" });
    const child = spawn(
      "node_modules/.bin/node",
      ["test/queue/fixtures/hanging-worker.ts", kit.redis.url, queueName],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    onClose(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const lines = createInterface({ input: child.stdout! });
    const seen: string[] = [];
    lines.on("line", (l) => seen.push(l));
    await eventually(() => seen.includes("ready"), "child worker ready");

    const job = makeJob({ rollout: "crash" });
    const after = makeJob({ rollout: "crash", trigger: "on-rollout-aborted" });
    await queue.enqueue([job, after]);
    await eventually(() => seen.includes(`delivering ${job.jobId}`), "child started delivering");
    child.kill("SIGKILL");
    await once(child, "exit");

    const sink = new FakeSink();
    await start(sink, { stalledIntervalMs: 200, concurrency: 8 });
    const report = await queue.waitUntilSettled([job.jobId, after.jobId], { timeoutMs: 20_000 });
    expect(report.delivered).toEqual([job.jobId, after.jobId]);
    expect(sink.delivered().map((c) => c.jobId)).toEqual([job.jobId, after.jobId]);
  });

  it("delivers again, in order, a job whose ack failed (an error reply): nothing lost, the key held meanwhile", async () => {
    const { queue, start } = setup({ queueName: "failed-ack" });
    const [first, second] = [
      makeJob({ rollout: "ack", trigger: "on-rollout-updated" }),
      makeJob({ rollout: "ack", trigger: "on-rollout-completed" }),
    ];
    // the worker's connection answers the first job's first ack with an error (its other commands go through)
    const { connection, refusals } = refusingScript(
      kit.conn(),
      "mark-delivered.lua",
      queue.store.jobKey(first.jobId),
      "ERR injected: the ack's reply",
      1,
    );
    const sink = new FakeSink();
    await queue.enqueue([first, second]);
    await start(sink, { connection, concurrency: 2 });
    const report = await queue.waitUntilSettled([first.jobId, second.jobId], { timeoutMs: 15_000 });
    expect(refusals.count).toBe(1);
    expect(report.delivered).toEqual([first.jobId, second.jobId]);
    // at least once: the first again after a second's backoff (its ack never landed), and only then the second
    expect(sink.delivered().map((c) => c.jobId)).toEqual([first.jobId, first.jobId, second.jobId]);
    expect(sink.calls[1]!.at - sink.calls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("dead-letters, with its reason, a job whose runs keep failing for infrastructure reasons; the key goes on", async () => {
    const { queue, start } = setup({ queueName: "failing-runs" });
    const [stuck, next] = [
      makeJob({ rollout: "runs", trigger: "on-rollout-updated" }),
      makeJob({ rollout: "runs", trigger: "on-rollout-completed" }),
    ];
    // the worker's connection answers every claim of the first job with an error
    const { connection, refusals } = refusingScript(
      kit.conn(),
      "claim.lua",
      queue.store.jobKey(stuck.jobId),
      "ERR injected: the claim's reply",
    );
    const sink = new FakeSink();
    await queue.enqueue([stuck, next]);
    await start(sink, { connection, infraRetryDelayMs: 20 });
    const report = await queue.waitUntilSettled([stuck.jobId, next.jobId], { timeoutMs: 15_000 });
    expect(report).toMatchObject({ deadLettered: [stuck.jobId], delivered: [next.jobId] });
    expect(refusals.count).toBe(5);
    expect(sink.calls.map((c) => c.jobId)).toEqual([next.jobId]);
    const [letter] = await queue.listDeadLetters();
    expect(letter).toMatchObject({
      id: stuck.jobId,
      attempts: 0,
      reason: { code: "worker-error", message: "ERR injected: the claim's reply", transient: true },
    });
  });

  it("loses nothing when Redis is killed and restarted (appendonly), in order per key", async () => {
    const { queue, start } = setup({ queueName: "redis-restart" });
    const sink = new FakeSink();
    let gate: (() => void) | undefined;
    const held = new Promise<void>((r) => {
      gate = r;
    });
    const jobs = ["a", "b"].flatMap((k) =>
      ["on-rollout-updated", "on-rollout-paused", "on-rollout-aborted"].map((trigger, n) =>
        makeJob({ rollout: k, trigger, n }),
      ),
    );
    sink.plan = (id) => (id === jobs[0]!.jobId ? held : undefined); // a's first delivery is in flight during the crash
    await start(sink, { stalledIntervalMs: 500, lockDurationMs: 2_000, concurrency: 8 });
    await queue.enqueue(jobs);
    await eventually(() => sink.attemptsByJob.has(jobs[0]!.jobId), "first delivery in flight");

    await kit.redis.kill();
    await kit.redis.restart();
    gate?.();

    const report = await queue.waitUntilSettled(
      jobs.map((j) => j.jobId),
      { timeoutMs: 25_000 },
    );
    expect(report.delivered.sort()).toEqual(jobs.map((j) => j.jobId).sort());
    for (const k of ["a", "b"]) {
      const delivered = [
        ...new Set(
          sink
            .delivered()
            .filter((c) => c.jobId.startsWith(`${k}%3A`))
            .map((c) => c.jobId),
        ),
      ];
      expect(delivered).toEqual(jobs.filter((j) => j.orderingKey.startsWith(`${k}/`)).map((j) => j.jobId));
    }
  });
});
