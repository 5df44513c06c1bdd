import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { makeJob } from "./queue-test-kit.ts";

describe("RedisNotificationQueue.depth", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("counts waiting jobs and the age of the oldest one (no worker running)", async () => {
    const connection = createRedisConnection(redis.url);
    const queue = new RedisNotificationQueue({ connection, queueName: "depth" });
    expect(await queue.depth()).toMatchObject({ waiting: 0, delayed: 0, oldestAgeMs: 0 });
    const before = Date.now();
    await queue.enqueue([makeJob({ rollout: "a", n: 1 }), makeJob({ rollout: "b", n: 1 })]);
    await new Promise((r) => setTimeout(r, 50));
    const d = await queue.depth();
    expect(d.waiting + d.delayed).toBe(2);
    expect(d.oldestAgeMs).toBeGreaterThanOrEqual(50);
    expect(d.oldestAgeMs).toBeLessThanOrEqual(Date.now() - before);
    await queue.close();
    connection.disconnect();
  });
});
