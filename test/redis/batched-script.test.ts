// BatchedScript: the calls of one tick go to Redis in one round trip, replies in call order; a full batch is sent
// at once (bounded); an error reaches every call of its batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchedScript } from "../../src/redis/batched-script.ts";
import { LuaScript } from "../../src/redis/lua-script.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

const INCR = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1);
const FAIL = new LuaScript("return redis.error_reply('boom')", 1);

describe("BatchedScript", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  /** Round trips the client made: pipelines and single commands sent. */
  function countWrites(c: ReturnType<RedisHarness["client"]>): () => number {
    let n = 0;
    const pipeline = c.pipeline.bind(c);
    c.pipeline = ((...a: Parameters<typeof pipeline>) => {
      n++;
      return pipeline(...a);
    }) as typeof c.pipeline;
    return () => n;
  }

  it("sends a tick's calls in one round trip, replies in order", async () => {
    const c = redis.client();
    const writes = countWrites(c);
    const batched = new BatchedScript(INCR, c);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => batched.run(["{b}:n"], [i + 1])));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => ((i + 1) * (i + 2)) / 2));
    expect(writes()).toBe(1);
    // a later tick is a new batch
    expect(await batched.run(["{b}:n"], [0])).toBe(1275);
    expect(writes()).toBe(2);
    c.disconnect();
  });

  it("sends a full batch at once (bounded), the rest in the next", async () => {
    const c = redis.client();
    const writes = countWrites(c);
    const batched = new BatchedScript(INCR, c, { maxBatch: 10 });
    await Promise.all(Array.from({ length: 25 }, () => batched.run(["{b}:m"], [1])));
    expect(await c.get("{b}:m")).toBe("25");
    expect(writes()).toBe(3);
    c.disconnect();
  });

  it("with a window, gathers the calls of several ticks in one round trip; flush() sends them at once", async () => {
    const c = redis.client();
    const writes = countWrites(c);
    const batched = new BatchedScript(INCR, c, { windowMs: 200 });
    const first = batched.run(["{b}:w"], [1]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    const second = batched.run(["{b}:w"], [2]);
    expect(writes()).toBe(0);
    expect(await Promise.all([first, second])).toEqual([1, 3]);
    expect(writes()).toBe(1);
    const third = batched.run(["{b}:w"], [3]);
    await batched.flush();
    expect(writes()).toBe(2);
    expect(await c.get("{b}:w")).toBe("6");
    expect(await third).toBe(6);
    c.disconnect();
  });

  it("an error reaches the calls of its batch", async () => {
    const c = redis.client();
    const batched = new BatchedScript(FAIL, c);
    const results = await Promise.allSettled([batched.run(["{b}:x"], []), batched.run(["{b}:y"], [])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    c.disconnect();
  });
});
