// The next executor of a key is promoted, or its state read, in one socket write (bullmq-executor.ts
// promoteOrState): real Redis and BullMQ; what it answers for a delayed, a waiting and a missing executor.
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoteOrState } from "../../src/queue/bullmq-executor.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

describe("promoteOrState", () => {
  let redis: RedisHarness;
  let queue: Queue;
  const connection = () => createRedisConnection(redis.url);
  let conn: ReturnType<typeof connection>;

  beforeAll(async () => {
    redis = await startRedis();
    conn = connection();
    queue = new Queue("promote-or-state", { connection: conn });
    await queue.waitUntilReady();
  });
  afterAll(async () => {
    await queue?.close();
    conn?.disconnect();
    await redis?.stop();
  });

  it("promotes a delayed executor; reports a waiting or missing one by its state", async () => {
    await queue.add("deliver", {}, { jobId: "j-delayed", delay: 60_000 });
    await queue.add("deliver", {}, { jobId: "j-waiting" });
    expect(await promoteOrState(queue, "j-delayed")).toEqual({ promoted: true });
    expect(await queue.getJobState("j-delayed")).toBe("waiting");
    expect(await promoteOrState(queue, "j-waiting")).toEqual({ promoted: false, state: "waiting" });
    expect(await promoteOrState(queue, "j-missing")).toEqual({ promoted: false, state: "unknown" });
  });

  it("sends the promotion and the state read in one socket write", async () => {
    await queue.add("deliver", {}, { jobId: "j-w2" });
    const client = (await queue.getBackend().client) as unknown as {
      stream: { _writev?: (chunks: unknown[], cb: unknown) => void };
    };
    const stream = client.stream;
    const original = stream._writev!;
    const batches: number[] = [];
    stream._writev = function (this: unknown, chunks: unknown[], cb: unknown) {
      batches.push(chunks.length);
      return original.call(this, chunks, cb);
    };
    try {
      expect(await promoteOrState(queue, "j-w2")).toEqual({ promoted: false, state: "waiting" });
    } finally {
      stream._writev = original;
    }
    expect(batches).toEqual([2]);
  });
});
