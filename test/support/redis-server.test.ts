import { afterAll, describe, expect, it } from "vitest";
import { startRedis } from "./redis-server.ts";

describe("redis harness", () => {
  it("starts a private server that survives a restart with appendonly", async () => {
    const redis = await startRedis({ appendonly: true });
    afterAll(() => redis.stop());
    expect(redis.port).not.toBe(6379);
    const c = redis.client();
    await c.set("k", "v");
    await redis.kill();
    await redis.restart();
    const c2 = redis.client();
    expect(await c2.get("k")).toBe("v");
  });
});
