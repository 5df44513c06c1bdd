// The Redis connection of the one-shot commands (dlq, silence): fails fast instead of waiting forever for an
// unreachable Redis, and errors name the server without its credentials. Made by src/redis/redis-connection.ts
// like every other connection (one server by URL, or the Sentinel / Cluster / TLS settings of `run`).
import type { Redis } from "ioredis";
import {
  connectNow,
  createRedisClient,
  describeRedisTarget,
  type RedisClient,
  type RedisConnectionSettings,
  serverSettings,
} from "../redis/redis-connection.ts";

/** Connects now (failing fast) to the Redis these settings name. */
export async function openCliRedisWith(settings: RedisConnectionSettings): Promise<RedisClient> {
  const connection = createRedisClient(settings, { purpose: "command", lazyConnect: true });
  connection.on("error", () => {});
  try {
    await connectNow(connection);
  } catch (err) {
    connection.disconnect();
    throw err;
  }
  return connection;
}

/** openCliRedisWith for one server given by URL. */
export async function openCliRedis(url: string): Promise<Redis> {
  return (await openCliRedisWith(serverSettings(url))) as Redis;
}

/** Names the server without its credentials. */
export function describeRedisError(err: unknown, target: string | RedisConnectionSettings): string {
  const settings = typeof target === "string" ? serverSettings(target) : target;
  let message = (err as Error)?.message ?? String(err);
  if (settings.topology.kind === "server") message = message.replaceAll(settings.topology.url, "<redis-url>");
  for (const secret of [settings.password, settings.sentinelPassword]) {
    if (secret) message = message.replaceAll(secret, "<redacted>");
  }
  return `${describeRedisTarget(settings)}: ${message}`;
}
