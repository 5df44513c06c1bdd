// Crashes: a worker SIGKILLed mid-delivery, and Redis itself killed and restarted (appendonly).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDeliveryWorker } from "../../src/queue/delivery-worker.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { eventually, FAST_RETRY, FakeSink, makeJob, resolveService, silentLogger } from "./queue-test-kit.ts";

let redis: RedisHarness;
const connections: Redis[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redis = await startRedis({ appendonly: true });
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  for (const c of connections.splice(0)) c.disconnect();
});
afterAll(async () => {
  await redis.stop();
});

function conn(): Redis {
  const c = createRedisConnection(redis.url);
  c.on("error", () => {}); // reconnects while the server is down
  connections.push(c);
  return c;
}

describe("crash recovery", () => {
  it("delivers a job again through another worker when the first is SIGKILLed mid-delivery", async () => {
    const queueName = "killed-worker";
    const queue = new RedisNotificationQueue({ connection: conn(), queueName, settlePollMs: 20 });
    closers.push(() => queue.close());
    const child = spawn(
      "node_modules/.bin/node",
      ["test/queue/fixtures/hanging-worker.ts", redis.url, queueName],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    closers.push(async () => {
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
    const w = await startDeliveryWorker({
      connection: conn(),
      queueName,
      sinks: () => sink,
      resolveService,
      logger: silentLogger,
      retry: FAST_RETRY,
      headWaitMs: 100,
      stalledIntervalMs: 200,
    });
    closers.push(() => w.close());
    const report = await queue.waitUntilSettled([job.jobId, after.jobId], { timeoutMs: 20_000 });
    expect(report.delivered).toEqual([job.jobId, after.jobId]);
    expect(sink.delivered().map((c) => c.jobId)).toEqual([job.jobId, after.jobId]);
  });

  it("loses nothing when Redis is killed and restarted (appendonly), in order per key", async () => {
    const queueName = "redis-restart";
    const queue = new RedisNotificationQueue({ connection: conn(), queueName, settlePollMs: 20 });
    closers.push(() => queue.close());
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
    const w = await startDeliveryWorker({
      connection: conn(),
      queueName,
      sinks: () => sink,
      resolveService,
      logger: silentLogger,
      retry: FAST_RETRY,
      headWaitMs: 100,
      stalledIntervalMs: 500,
      lockDurationMs: 2_000,
    });
    closers.push(() => w.close({ force: true }));
    await queue.enqueue(jobs);
    await eventually(() => sink.attemptsByJob.has(jobs[0]!.jobId), "first delivery in flight");

    await redis.kill();
    await redis.restart();
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
