// Per (service, chat, topic, thread key): the message_id of the revision's first message, which later messages reply
// to. In Redis (TTL 30 days, refreshed on use) so threads survive restarts; process-local without Redis.
import { createHash } from "node:crypto";
import type { RedisClient } from "../../redis/redis-connection.ts";

export interface TelegramThreads {
  get(key: string): Promise<number | undefined>;
  set(key: string, messageId: number): Promise<void>;
}

const TTL_SECONDS = 30 * 24 * 3600;

export const telegramThreadKey = (service: string, chat: string, threadKey: string) =>
  createHash("sha256")
    .update(JSON.stringify([service, chat, threadKey]))
    .digest("hex");

export class InMemoryTelegramThreads implements TelegramThreads {
  readonly #roots = new Map<string, number>();
  async get(key: string) {
    return this.#roots.get(key);
  }
  async set(key: string, messageId: number) {
    this.#roots.set(key, messageId);
  }
}

export class RedisTelegramThreads implements TelegramThreads {
  readonly #redis: RedisClient;
  constructor(redis: RedisClient) {
    this.#redis = redis;
  }
  async get(key: string) {
    const v = await this.#redis.getex(`rn:telegram:thread:${key}`, "EX", TTL_SECONDS);
    return v === null ? undefined : Number(v);
  }
  async set(key: string, messageId: number) {
    await this.#redis.set(`rn:telegram:thread:${key}`, String(messageId), "EX", TTL_SECONDS);
  }
}
