// The Redis connection of the one-shot commands (dlq, silence): fails fast instead of waiting forever for an
// unreachable Redis, and errors name the server without its credentials.
import { Redis } from "ioredis";

export async function openCliRedis(url: string): Promise<Redis> {
  const connection = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 2 ? null : 200),
  });
  connection.on("error", () => {});
  try {
    await connection.connect();
  } catch (err) {
    connection.disconnect();
    throw err;
  }
  return connection;
}

/** Names the server without its credentials. */
export function describeRedisError(err: unknown, url: string): string {
  let where = "Redis";
  try {
    const u = new URL(url);
    where = `Redis at ${u.hostname}:${u.port || "6379"}`;
  } catch {
    // not a URL: keep it vague (it may hold a password)
  }
  const message = (err as Error)?.message ?? String(err);
  return `${where}: ${message.replaceAll(url, "<redis-url>")}`;
}
