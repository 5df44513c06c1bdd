import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transition } from "../../src/triggers/transition.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

function transition(id: string): Transition {
  return {
    id,
    trigger: "on-rollout-updated",
    object: { kind: "Rollout", namespace: "ns", name: "r", uid: "u1" },
    revision: "1",
    snapshot: { metadata: { name: "r" } },
  };
}

describe("TransitionLog", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("records each transition id once, across calls and log instances, in order", async () => {
    const a = new TransitionLog(redis.client(), { prefix: "t1" });
    expect((await a.record([transition("x/1"), transition("x/2")])).map((t) => t.id)).toEqual(["x/1", "x/2"]);
    // a second replica / a restart re-detecting the same transitions records nothing again
    const b = new TransitionLog(redis.client(), { prefix: "t1" });
    expect(
      (await b.record([transition("x/2"), transition("x/3"), transition("x/1")])).map((t) => t.id),
    ).toEqual(["x/3"]);
    const listed = await a.list();
    expect(listed.map((r) => r.transition.id)).toEqual(["x/1", "x/2", "x/3"]);
    expect(listed[0]!.transition).not.toHaveProperty("snapshot");
  });

  it("writes the watcher's object state in the same call, also when every transition was recorded before", async () => {
    const client = redis.client();
    const log = new TransitionLog(client, { prefix: "t2" });
    const write = (value: string) => ({ key: "t2:objstate", field: "u1", value });
    expect((await log.record([transition("y/1")], write("s1"))).map((t) => t.id)).toEqual(["y/1"]);
    expect(await client.hget("t2:objstate", "u1")).toBe("s1");
    // a re-detection after a crash between enqueue and state save: nothing recorded again, the state saved
    expect(await log.record([transition("y/1")], write("s2"))).toEqual([]);
    expect(await client.hget("t2:objstate", "u1")).toBe("s2");
    expect((await log.list()).map((r) => r.transition.id)).toEqual(["y/1"]);
  });
});
