// The service's Redis connections (src/redis/redis-connection.ts) from its settings (src/cli/settings.ts) against
// real redis-server processes: TLS with a CA generated here and client certificates, ACL user/password, and the
// durable queue delivering through such a connection. Sentinel and Cluster run whole stories in test/e2e.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRedisSettings } from "../../src/cli/settings.ts";
import { startDeliveryWorker } from "../../src/queue/delivery-worker.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import {
  connectNow,
  createRedisClient,
  describeRedisTarget,
  type RedisClient,
  type RedisConnectionSettings,
} from "../../src/redis/redis-connection.ts";
import { FakeSink, makeJob, resolveService, silentLogger } from "../queue/queue-test-kit.ts";
import {
  makeTestCertificates,
  type RedisHarness,
  startRedis,
  type TestCertificates,
} from "../support/redis-server.ts";

/** Connects (fail-fast client) and PINGs; resolves to "PONG" or the error message. */
async function ping(settings: RedisConnectionSettings): Promise<string> {
  const c = createRedisClient(settings, { purpose: "command", lazyConnect: true });
  c.on("error", () => {});
  try {
    await connectNow(c);
    return await c.ping();
  } catch (err) {
    return (err as Error).message;
  } finally {
    c.disconnect();
  }
}

describe("TLS", () => {
  let certs: TestCertificates;
  let redis: RedisHarness;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    certs = await makeTestCertificates();
    redis = await startRedis({ tls: certs });
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  const env = (extra: Record<string, string> = {}) => ({
    REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
    REDIS_TLS_CA_FILE: certs.caFile,
    REDIS_TLS_CERT_FILE: certs.clientCertFile,
    REDIS_TLS_KEY_FILE: certs.clientKeyFile,
    ...extra,
  });

  it("connects with the CA bundle and client certificate from the settings", async () => {
    const settings = resolveRedisSettings({}, env());
    expect(settings.tls).toEqual({
      caFile: certs.caFile,
      certFile: certs.clientCertFile,
      keyFile: certs.clientKeyFile,
    });
    expect(describeRedisTarget(settings)).toBe(`Redis at 127.0.0.1:${redis.port} (TLS)`);
    expect(await ping(settings)).toBe("PONG");
  });

  it("refuses a server its CA bundle does not vouch for, unless --redis-tls-insecure", async () => {
    const { REDIS_TLS_CA_FILE: _ca, ...noCa } = env();
    expect(await ping(resolveRedisSettings({}, noCa))).toMatch(/self-signed certificate/);
    expect(await ping(resolveRedisSettings({}, { ...noCa, REDIS_TLS_INSECURE: "true" }))).toBe("PONG");
    expect(await ping(resolveRedisSettings({ redisTlsInsecure: true }, noCa))).toBe("PONG");
  });

  it("is refused by a server that requires a client certificate when it has none", async () => {
    const { REDIS_TLS_CERT_FILE: _c, REDIS_TLS_KEY_FILE: _k, ...noCert } = env();
    expect(await ping(resolveRedisSettings({}, noCert))).not.toBe("PONG");
  });

  it("is refused in plain text by a TLS-only server", async () => {
    expect(await ping(resolveRedisSettings({}, { REDIS_URL: `redis://127.0.0.1:${redis.port}` }))).not.toBe(
      "PONG",
    );
  });

  it("the durable queue delivers through it", async () => {
    const settings = resolveRedisSettings({}, env());
    const producer = createRedisClient(settings);
    const consumer = createRedisClient(settings);
    clients.push(producer, consumer);
    const queue = new RedisNotificationQueue({ connection: producer, queueName: "tls", settlePollMs: 20 });
    const sink = new FakeSink();
    const worker = await startDeliveryWorker({
      connection: consumer,
      queueName: "tls",
      sinks: () => sink,
      resolveService,
      logger: silentLogger,
    });
    try {
      const jobs = [makeJob({ rollout: "tls" }), makeJob({ rollout: "tls" })];
      await queue.enqueue(jobs);
      const report = await queue.waitUntilSettled(
        jobs.map((j) => j.jobId),
        { timeoutMs: 20_000 },
      );
      expect(report.delivered).toEqual(jobs.map((j) => j.jobId));
      expect(sink.calls.map((c) => c.jobId)).toEqual(jobs.map((j) => j.jobId));
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});

describe("ACL user and password", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis({ args: ["--user", "notifier", "on", ">n0tifier-pass", "~*", "&*", "+@all"] });
    // the default user stays open for the harness; the notifier user is what the service uses
  });
  afterAll(() => redis?.stop());

  it("authenticates as REDIS_USERNAME with REDIS_PASSWORD", async () => {
    const env = {
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      REDIS_USERNAME: "notifier",
      REDIS_PASSWORD: "n0tifier-pass",
    };
    const settings = resolveRedisSettings({}, env);
    expect(settings).toMatchObject({ username: "notifier", password: "n0tifier-pass" });
    const c = createRedisClient(settings);
    try {
      expect(await c.call("ACL", "WHOAMI")).toBe("notifier");
    } finally {
      c.disconnect();
    }
    const wrong = await ping(resolveRedisSettings({}, { ...env, REDIS_PASSWORD: "wrong-pass-xyz" }));
    expect(wrong).toMatch(/WRONGPASS/);
    expect(wrong).not.toContain("wrong-pass-xyz");
  });
});

describe("Redis settings", () => {
  it.each([
    [{}, /REDIS_URL: required .*REDIS_SENTINELS.*REDIS_CLUSTER/],
    [{ REDIS_URL: "redis://a:1", REDIS_CLUSTER: "a:1" }, /REDIS_URL and REDIS_CLUSTER: give only one/],
    [{ REDIS_SENTINELS: "a:1,b" }, /REDIS_SENTINELS: "b" is not host:port/],
    [{ REDIS_CLUSTER: "a:99999" }, /REDIS_CLUSTER: "a:99999" is not host:port/],
    [{ REDIS_SENTINELS: "a:1", REDIS_SENTINEL_MASTER: "bad name" }, /REDIS_SENTINEL_MASTER: "bad name"/],
    [{ REDIS_URL: "redis://a:1", REDIS_TLS_CERT_FILE: "c.pem" }, /REDIS_TLS_CERT_FILE: .* both cert and key/],
  ])("rejects %j naming the setting", (env, message) => {
    expect(() => resolveRedisSettings({}, env)).toThrow(message);
  });

  it("reads a Sentinel set and a Cluster, passwords from the environment only", () => {
    expect(
      resolveRedisSettings(
        { redisSentinels: "s1:26379, [::1]:26380", redisSentinelMaster: "main" },
        { REDIS_PASSWORD: "p", REDIS_SENTINEL_PASSWORD: "sp", REDIS_SENTINEL_USERNAME: "su", REDIS_TLS: "1" },
      ),
    ).toEqual({
      topology: {
        kind: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "::1", port: 26380 },
        ],
        masterName: "main",
      },
      password: "p",
      sentinelUsername: "su",
      sentinelPassword: "sp",
      tls: {},
    });
    const cluster = resolveRedisSettings({}, { REDIS_CLUSTER: "n1:7000,n2:7001" });
    expect(cluster).toEqual({
      topology: {
        kind: "cluster",
        nodes: [
          { host: "n1", port: 7000 },
          { host: "n2", port: 7001 },
        ],
      },
    });
    expect(describeRedisTarget(cluster)).toBe("Redis Cluster at n1:7000,n2:7001");
  });
});
