// LuaScript: scripts read from .lua files (includes resolved), run by SHA with the source sent once to a server
// that lacks it, several calls in one round trip; and which clients wait for a replica.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LuaScript } from "../../src/redis/lua-script.ts";
import { createRedisClient, hasFailoverReplica } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

describe("LuaScript", () => {
  let redis: RedisHarness;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "rn-lua-"));
    writeFileSync(join(dir, "helper.lua"), "local function twice(x) return x * 2 end\n");
    writeFileSync(
      join(dir, "main.lua"),
      "-- doubles ARGV[1] into KEYS[1]\n-- include: helper.lua\nredis.call('SET', KEYS[1], twice(tonumber(ARGV[1])))\nreturn tonumber(redis.call('GET', KEYS[1]))\n",
    );
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a script without its comments, indentation and blank lines; nested includes once each", async () => {
    writeFileSync(join(dir, "inner.lua"), "-- inner\nlocal function one() return 1 end\n");
    writeFileSync(
      join(dir, "outer.lua"),
      "-- include: inner.lua\nlocal function two()\n  return one() + one() -- twice\nend\n",
    );
    writeFileSync(
      join(dir, "nested.lua"),
      "-- a script\n-- include: outer.lua\n-- include: inner.lua\n\n  return two() + one()   -- three\n",
    );
    const script = LuaScript.load(pathToFileURL(join(dir, "nested.lua")), 0);
    expect(script.source).toBe(
      "local function one() return 1 end\nlocal function two()\nreturn one() + one()\nend\nreturn two() + one()",
    );
    expect(await script.run(redis.client(), [], [])).toBe(3);
  });

  it("reads the file with its includes, loads it into a server that lacks it, then runs it by SHA", async () => {
    const script = LuaScript.load(pathToFileURL(join(dir, "main.lua")), 1);
    expect(script.source).toContain("local function twice");
    expect(script.source).not.toContain("-- include:");
    const c = redis.client();
    await c.script("FLUSH");
    expect(await script.run(c, ["{t}:a"], [21])).toBe(42);
    expect(await c.script("EXISTS", script.sha)).toEqual([1]);
    await c.script("FLUSH");
    expect(
      await script.runMany(c, [
        { keys: ["{t}:b"], args: [1] },
        { keys: ["{t}:c"], args: [2] },
      ]),
    ).toEqual([2, 4]);
    await expect(script.run(c, ["{t}:a", "{t}:b"], [1])).rejects.toThrow("script expects 1 keys");
  });

  it("fails when the file is missing (at module load, not at the first delivery)", () => {
    expect(() => LuaScript.load(pathToFileURL(join(dir, "nope.lua")))).toThrow(/ENOENT/);
  });

  it("waits for a replica only through Sentinel", () => {
    const server = createRedisClient({ topology: { kind: "server", url: redis.url } }, { lazyConnect: true });
    const sentinel = createRedisClient(
      { topology: { kind: "sentinel", sentinels: [{ host: "127.0.0.1", port: 1 }], masterName: "m" } },
      { lazyConnect: true },
    );
    const cluster = createRedisClient(
      { topology: { kind: "cluster", nodes: [{ host: "127.0.0.1", port: 1 }] } },
      { lazyConnect: true },
    );
    expect([server, sentinel, cluster].map(hasFailoverReplica)).toEqual([false, true, false]);
    for (const c of [server, sentinel, cluster]) c.disconnect();
  });
});
