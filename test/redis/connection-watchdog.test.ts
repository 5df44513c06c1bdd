// A Redis connection that stops answering without closing is dropped and made again by its PING watchdog; the
// commands waiting on it are answered on the new one. Through a proxy that freezes the connection (no FIN, no
// RST: a vanished host), in front of a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchConnection } from "../../src/redis/connection-watchdog.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { startFreezingProxy } from "../support/freezing-proxy.ts";
import { captureLogs } from "../support/log-capture.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

describe("connection watchdog", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  /** A client of `url` under a watchdog, its log lines and how often it connected. */
  const watched = (url: string, timing: { everyMs: number; timeoutMs: number }) => {
    const client = createRedisConnection(url);
    client.on("error", () => {});
    const { logger, lines } = captureLogs();
    let connects = 0;
    client.on("connect", () => connects++);
    const stop = watchConnection(client, logger, { name: "test", ...timing });
    return { client, lines, connects: () => connects, stop };
  };

  it("reconnects a connection that stopped answering; the command waiting on it is answered", async () => {
    const proxy = await startFreezingProxy(redis.port);
    const { client, lines, connects, stop } = watched(proxy.url(), { everyMs: 200, timeoutMs: 1_500 });
    try {
      await client.set("k", "before");
      expect(connects()).toBe(1);
      // the connection freezes at the watchdog's next PING; a command sent after it waits with it
      await proxy.freezeNextSending("ping");
      const started = Date.now();
      await expect(client.set("k", "after")).resolves.toBe("OK");
      expect(Date.now() - started).toBeLessThan(8_000); // a probe (≤ 0.2 s), its timeout (1.5 s), a reconnect
      expect(await redis.client().get("k")).toBe("after");
      expect(proxy.frozen).toBe(1);
      expect(connects()).toBe(2);
      expect(lines.join("")).toContain("did not answer PING in time; reconnecting it");
    } finally {
      stop();
      client.disconnect();
      await proxy.close();
    }
  });

  it("leaves a connection that answers alone", async () => {
    const { client, lines, connects, stop } = watched(redis.url, { everyMs: 50, timeoutMs: 3_000 });
    try {
      await client.ping();
      await new Promise((r) => setTimeout(r, 1_000)); // ~20 probes
      expect(connects()).toBe(1);
      expect(lines.join("")).not.toContain("did not answer PING");
    } finally {
      stop();
      client.disconnect();
    }
  });
});
