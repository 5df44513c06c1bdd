// Crashes: a worker SIGKILLed mid-delivery, and Redis itself killed and restarted (appendonly).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { eventually, FakeSink, makeJob } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

const kit = useRedisQueues({ appendonly: true });
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
