// Redis-backed SlackState: thread roots, the post journal and learnt channel ids, shared by all worker replicas.
// Keys (prefix default "rn:slack:"; variable parts hashed so any service/channel/grouping key fits):
//   <prefix>thread:<sha256(service, channel, groupingKey)>  JSON SlackThreadRoot (+ names)  TTL 30d, refreshed on use
//   <prefix>post:<sha256(service, jobId)>                    JSON SlackPostRecord              TTL 7d
//   <prefix>channel:<sha256(service, name)>                  channel id                        TTL 1d
//   <prefix>claim:<sha256(service, jobId)>                   token of the attempt delivering   PX = claim ttl
// Behind Sentinel the record written right before a post waits (WAIT 1, bounded) for the replica: a fail-over
// right after the post then cannot lose it (docs/redis.md, "What a fail-over can lose").
import { createHash, randomUUID } from "node:crypto";
import { SLACK_KEY_PREFIX } from "../../redis/keys.ts";
import { LuaScript } from "../../redis/lua-script.ts";
import { hasFailoverReplica, type RedisClient } from "../../redis/redis-connection.ts";
import type {
  AttemptClaim,
  JournalDurability,
  SlackPostRecord,
  SlackState,
  SlackThreadRoot,
} from "./slack-state.ts";

const RELEASE_CLAIM = LuaScript.load(new URL("./lua/release-claim.lua", import.meta.url), 1);
/**
 * How long the write before a post waits for a replica to confirm it. A replica in sync confirms within a round trip,
 * so this is paid only while none does (fail-over under way, replica down).
 */
export const JOURNAL_REPLICA_WAIT_MS = 1_000;

const DAY_S = 24 * 60 * 60;

export interface RedisSlackStateOptions {
  keyPrefix?: string;
  threadTtlSec?: number;
  postTtlSec?: number;
  channelTtlSec?: number;
  /** Wait for a replica on the write before a post (default: when connected through Sentinel). */
  waitForReplica?: boolean;
  /** Bound of that wait (default JOURNAL_REPLICA_WAIT_MS). */
  replicaWaitMs?: number;
  now?: () => number;
}

export class RedisSlackState implements SlackState {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #threadTtl: number;
  readonly #postTtl: number;
  readonly #channelTtl: number;
  readonly #waitForReplica: boolean;
  readonly #replicaWaitMs: number;
  readonly #now: () => number;
  /** Since when (ms) journal writes have gone unconfirmed by the replica; undefined while it confirms them. */
  #unconfirmedSince: number | undefined;

  constructor(redis: RedisClient, opts: RedisSlackStateOptions = {}) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix ?? SLACK_KEY_PREFIX;
    this.#threadTtl = opts.threadTtlSec ?? 30 * DAY_S;
    this.#postTtl = opts.postTtlSec ?? 7 * DAY_S;
    this.#channelTtl = opts.channelTtlSec ?? DAY_S;
    this.#waitForReplica = opts.waitForReplica ?? hasFailoverReplica(redis);
    this.#replicaWaitMs = opts.replicaWaitMs ?? JOURNAL_REPLICA_WAIT_MS;
    this.#now = opts.now ?? Date.now;
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

  async putPostDurably(service: string, jobId: string, record: SlackPostRecord): Promise<JournalDurability> {
    if (!this.#waitForReplica) {
      await this.putPost(service, jobId, record);
      return { replicated: true, unconfirmedForMs: 0 };
    }
    const res = await this.#redis
      .pipeline()
      .set(this.#key("post", service, jobId), JSON.stringify(record), "EX", this.#postTtl)
      .call("WAIT", "1", String(this.#replicaWaitMs))
      .exec();
    const [setErr] = res?.[0] ?? [new Error("no reply")];
    if (setErr) throw setErr;
    const [waitErr, acked] = res?.[1] ?? [new Error("no reply")];
    if (waitErr) throw waitErr;
    if (Number(acked) >= 1) {
      this.#unconfirmedSince = undefined;
      return { replicated: true, unconfirmedForMs: 0 };
    }
    const now = this.#now();
    this.#unconfirmedSince ??= now;
    return { replicated: false, unconfirmedForMs: now - this.#unconfirmedSince };
  }

  async claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim> {
    const k = this.#key("claim", service, jobId);
    const token = randomUUID();
    const ttl = Math.max(1, Math.ceil(ttlMs));
    if ((await this.#redis.set(k, token, "PX", ttl, "NX")) === "OK") {
      return {
        release: async () => {
          await RELEASE_CLAIM.run(this.#redis, [k], [token]);
        },
      };
    }
    const left = await this.#redis.pttl(k);
    return { heldForMs: left > 0 ? left : 1 };
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
