// Redis-backed SlackState: thread roots, the post journal and learnt channel ids, shared by all worker replicas.
// Keys (prefix default "rn:slack:"; variable parts hashed so any service/channel/grouping key fits):
//   <prefix>thread:<sha256(service, channel, groupingKey)>  JSON SlackThreadRoot (+ names)  TTL 30d, refreshed on use
//   <prefix>post:<sha256(service, jobId)>                    JSON SlackPostRecord              TTL 7d
//   <prefix>channel:<sha256(service, name)>                  channel id                        TTL 1d
import { createHash } from "node:crypto";
import { SLACK_KEY_PREFIX } from "../../redis/keys.ts";
import type { RedisClient } from "../../redis/redis-connection.ts";
import type { SlackPostRecord, SlackState, SlackThreadRoot } from "./slack-state.ts";

const DAY_S = 24 * 60 * 60;

export interface RedisSlackStateOptions {
  keyPrefix?: string;
  threadTtlSec?: number;
  postTtlSec?: number;
  channelTtlSec?: number;
}

export class RedisSlackState implements SlackState {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #threadTtl: number;
  readonly #postTtl: number;
  readonly #channelTtl: number;

  constructor(redis: RedisClient, opts: RedisSlackStateOptions = {}) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix ?? SLACK_KEY_PREFIX;
    this.#threadTtl = opts.threadTtlSec ?? 30 * DAY_S;
    this.#postTtl = opts.postTtlSec ?? 7 * DAY_S;
    this.#channelTtl = opts.channelTtlSec ?? DAY_S;
  }

  #key(kind: string, ...parts: string[]): string {
    return `${this.#prefix}${kind}:${createHash("sha256").update(parts.join("\u0000")).digest("hex")}`;
  }

  async getThreadRoot(
    service: string,
    channel: string,
    groupingKey: string,
  ): Promise<SlackThreadRoot | undefined> {
    const k = this.#key("thread", service, channel, groupingKey);
    const raw = await this.#redis.getex(k, "EX", this.#threadTtl);
    return raw ? parseRoot(raw) : undefined;
  }

  async setThreadRootIfAbsent(
    service: string,
    channel: string,
    groupingKey: string,
    root: SlackThreadRoot,
  ): Promise<SlackThreadRoot> {
    const k = this.#key("thread", service, channel, groupingKey);
    const value = JSON.stringify({ channelId: root.channelId, ts: root.ts, service, channel, groupingKey });
    const set = await this.#redis.set(k, value, "EX", this.#threadTtl, "NX");
    if (set === "OK") return root;
    const raw = await this.#redis.get(k);
    return (raw ? parseRoot(raw) : undefined) ?? root;
  }

  async deleteThreadRoot(service: string, channel: string, groupingKey: string): Promise<void> {
    await this.#redis.del(this.#key("thread", service, channel, groupingKey));
  }

  async getPost(service: string, jobId: string): Promise<SlackPostRecord | undefined> {
    const raw = await this.#redis.get(this.#key("post", service, jobId));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as SlackPostRecord;
    } catch {
      return undefined;
    }
  }

  async putPost(service: string, jobId: string, record: SlackPostRecord): Promise<void> {
    await this.#redis.set(this.#key("post", service, jobId), JSON.stringify(record), "EX", this.#postTtl);
  }

  async deletePost(service: string, jobId: string): Promise<void> {
    await this.#redis.del(this.#key("post", service, jobId));
  }

  async getChannelId(service: string, channelName: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#key("channel", service, channelName))) ?? undefined;
  }

  async setChannelId(service: string, channelName: string, channelId: string): Promise<void> {
    await this.#redis.set(this.#key("channel", service, channelName), channelId, "EX", this.#channelTtl);
  }
}

function parseRoot(raw: string): SlackThreadRoot | undefined {
  try {
    const v = JSON.parse(raw) as Partial<SlackThreadRoot>;
    return typeof v.channelId === "string" && typeof v.ts === "string"
      ? { channelId: v.channelId, ts: v.ts }
      : undefined;
  } catch {
    return undefined;
  }
}
