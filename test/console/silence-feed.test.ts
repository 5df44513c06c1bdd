// The silence copy a process checks before each delivery, kept current by the change feed instead of a Redis read
// per delivery: real Redis, a follower store (the worker's) and an operator store on other connections (another
// process: only Redis is shared). A change anywhere reaches the follower's copy; while its subscription is down
// the follower asks Redis per delivery, and it re-reads once subscribed again (a change it missed counts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRedisClient,
  createRedisConnection,
  type RedisClient,
} from "../../src/redis/redis-connection.ts";
import { followSilences, type SilenceFeed } from "../../src/silences/silence-feed.ts";
import { SilenceStore } from "../../src/silences/silence-store.ts";
import { eventually, silentLogger } from "../queue/queue-test-kit.ts";
import {
  type RedisClusterHarness,
  type RedisHarness,
  startRedis,
  startRedisCluster,
} from "../support/redis-server.ts";

const request = (namespace: string) => ({
  matchers: { namespace },
  duration: "1h",
  comment: `maintenance of ${namespace}`,
  summary: false,
});

const ids = (list: { id: string }[] | undefined) => list?.map((s) => s.id);

describe("silence change feed", () => {
  let redis: RedisHarness;
  const connections: RedisClient[] = [];
  let follower: SilenceStore;
  let operator: SilenceStore;
  let subscriber: RedisClient;
  let feed: SilenceFeed;
  const conn = () => {
    const c = createRedisConnection(redis.url);
    c.on("error", () => {});
    connections.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
    follower = new SilenceStore(conn());
    operator = new SilenceStore(conn());
    subscriber = createRedisConnection(redis.url);
    subscriber.on("error", () => {});
    // a long fallback period: what the tests see comes from the feed, not from the periodic reload
    feed = followSilences({ store: follower, subscriber, logger: silentLogger, refreshMs: 600_000 });
  });
  afterAll(async () => {
    feed?.stop();
    for (const c of connections) c.disconnect();
    await redis?.stop();
  });

  it("answers from memory once subscribed, and a silence created in another process reaches the copy", async () => {
    await eventually(() => follower.activeIfCurrent() !== undefined, "copy vouched for by the feed");
    expect(follower.activeIfCurrent()).toEqual([]);

    const s = await operator.create(request("payments"), "alice");
    await eventually(() => ids(follower.activeIfCurrent())?.includes(s.id) === true, "silence in the copy");
    expect(ids(await follower.activeNow())).toContain(s.id);

    // expiring it reaches the copy too
    await operator.expire(s.id, "alice");
    await eventually(
      () => follower.activeIfCurrent() !== undefined && !ids(follower.activeIfCurrent())?.includes(s.id),
      "expired silence gone from the copy",
    );
  });

  it("a silence created in this process counts at once", async () => {
    const s = await follower.create(request("local"), "bob");
    expect(ids(await follower.activeNow())).toContain(s.id);
    await operator.expire(s.id, "bob");
  });

  it("asks Redis while the subscription is down, and re-reads what it missed once subscribed again", async () => {
    await eventually(() => follower.activeIfCurrent() !== undefined, "copy vouched for by the feed");
    const lost = new Promise<void>((resolve) => subscriber.once("close", () => resolve()));
    // the subscriber's connection drops (a fail-over, a network blip); ioredis reconnects on its own
    await operator.redis.call("CLIENT", "KILL", "TYPE", "pubsub");
    await lost;
    expect(follower.activeIfCurrent()).toBeUndefined();
    // created while nobody listened, or before the follower noticed: its announcement may be lost
    const s = await operator.create(request("missed"), "carol");
    // a delivery meanwhile reads Redis: the silence counts
    expect(ids(await follower.activeNow())).toContain(s.id);
    await eventually(
      () => ids(follower.activeIfCurrent())?.includes(s.id) === true,
      "copy re-read after resubscribe",
    );
    expect(subscriber.status).toBe("ready");
  });

  it("a copy is never vouched for by a reload that began before the change was announced", async () => {
    await eventually(() => follower.activeIfCurrent() !== undefined, "copy vouched for by the feed");
    const reading = follower.refresh(); // reads the silences as they are now
    follower.invalidate(); // an announcement arrives while that read is in flight
    await reading;
    expect(follower.activeIfCurrent()).toBeUndefined();
    await follower.activeNow(); // the next check reads Redis
    expect(follower.activeIfCurrent()).toBeDefined();
  });
});

describe("silence change feed on a Redis Cluster", () => {
  let cluster: RedisClusterHarness;
  const clients: RedisClient[] = [];
  let feed: SilenceFeed | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    feed?.stop();
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });

  it("a silence created through the Cluster reaches the subscriber (a PUBLISH is forwarded to every node)", async () => {
    const client = () => {
      const c = createRedisClient(cluster.settings);
      c.on("error", () => {});
      clients.push(c);
      return c;
    };
    const follower = new SilenceStore(client());
    const operator = new SilenceStore(client());
    const subscriber = createRedisClient(cluster.settings);
    subscriber.on("error", () => {});
    feed = followSilences({ store: follower, subscriber, logger: silentLogger, refreshMs: 600_000 });
    await eventually(() => follower.activeIfCurrent() !== undefined, "copy vouched for by the feed");
    const s = await operator.create(request("cluster"), "dave");
    await eventually(() => ids(follower.activeIfCurrent())?.includes(s.id) === true, "silence in the copy");
  });
});
