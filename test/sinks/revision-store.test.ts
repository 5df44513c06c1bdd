// The per-revision sink state (src/sinks/common/revision-store.ts) in a real Redis and process-local: records by key
// parts, only hashed into the Redis key, TTL refreshed on use, invalid records read as absent, the override.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import {
  InMemoryRevisionStore,
  RedisRevisionStore,
  type RevisionStore,
  revisionStore,
} from "../../src/sinks/common/revision-store.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

interface Rec {
  id: number;
}
const parse = (v: unknown): Rec | undefined =>
  typeof (v as Rec | null)?.id === "number" ? { id: (v as Rec).id } : undefined;
const SPEC = { type: "testtype", kind: "region", ttlSec: 100, parse };
const SECRET_PART = "secret-service-token-0123456789";

let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each([
  ["redis", () => new RedisRevisionStore(redis.client(), SPEC)],
  ["in-memory", () => new InMemoryRevisionStore(parse)],
] as const)("revision store (%s)", (_name, make: () => RevisionStore<Rec>) => {
  it("keeps one record per key, replaces and deletes it", async () => {
    const s = make();
    const a = ["svc", "team-a", "shop/checkout/2"];
    const b = ["svc", "team-a", "shop/checkout/3"];
    expect(await s.get(a)).toBeUndefined();
    await s.set(a, { id: 1 });
    await s.set(b, { id: 2 });
    expect(await s.get(a)).toEqual({ id: 1 });
    await s.set(a, { id: 3 });
    expect(await s.get(a)).toEqual({ id: 3 });
    await s.delete(a);
    expect(await s.get(a)).toBeUndefined();
    expect(await s.get(b)).toEqual({ id: 2 });
    // key parts are not joined ambiguously
    expect(await s.get(["svc", "team-a/shop", "checkout/3"])).toBeUndefined();
  });
});

describe("revision store in Redis", () => {
  it("hashes the key parts into rn:<type>:<kind>:…, refreshes the TTL on read, reads junk as absent", async () => {
    const client = redis.client();
    const s = new RedisRevisionStore(client, { ...SPEC, type: "keytest" });
    await s.set([SECRET_PART, "x"], { id: 7 });
    const keys = await client.keys("rn:keytest:*");
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^rn:keytest:region:[0-9a-f]{64}$/);
    expect(keys[0]).not.toContain(SECRET_PART);
    await client.expire(keys[0]!, 5);
    expect(await s.get([SECRET_PART, "x"])).toEqual({ id: 7 });
    expect(await client.ttl(keys[0]!)).toBeGreaterThan(50);
    await client.set(keys[0]!, "not json");
    expect(await s.get([SECRET_PART, "x"])).toBeUndefined();
    await client.set(keys[0]!, JSON.stringify({ id: "nope" }));
    expect(await s.get([SECRET_PART, "x"])).toBeUndefined();
  });

  it("revisionStore picks the override, then Redis, then process-local", async () => {
    const dispatchers = new HttpDispatchers();
    const logger = createLogger({ level: "silent" });
    const override = new InMemoryRevisionStore(parse);
    try {
      expect(revisionStore({ dispatchers, logger, state: { testtype: override } }, SPEC)).toBe(override);
      expect(revisionStore({ dispatchers, logger, redis: redis.client() }, SPEC)).toBeInstanceOf(
        RedisRevisionStore,
      );
      expect(revisionStore({ dispatchers, logger }, SPEC)).toBeInstanceOf(InMemoryRevisionStore);
    } finally {
      await dispatchers.close();
    }
  });
});
