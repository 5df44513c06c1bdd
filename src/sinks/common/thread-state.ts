// State a threading chat sink keeps between deliveries, shared by worker replicas and surviving restarts when backed
// by Redis; the in-memory version serves the demo and tests. Used by every type that keeps one thread per group
// (Slack, Mattermost):
//  - thread roots: per (service, channel, groupingKey) the group's root message, so later messages reply in its
//    thread and update it;
//  - the post journal: per (service, job id) how far a delivery got, so a retried job never posts twice (each
//    type's record says what it needs: state, deadline, the posted message's id …).
// Keys (prefix `sinkKeyPrefix(type)`, "rn:<type>:"; variable parts hashed so any service/channel/key fits):
//   <prefix>thread:<sha256(service, channel, groupingKey)>  JSON root (+ names)  TTL 30d, refreshed on use
//   <prefix>post:<sha256(service, jobId)>                    JSON post record      TTL 7d
import { createHash } from "node:crypto";
import type { RedisClient } from "../../redis/redis-connection.ts";

export interface ThreadRootStore<R> {
  getThreadRoot(service: string, channel: string, groupingKey: string): Promise<R | undefined>;
  /** Records the root unless one exists; returns the root in effect (ours or the one already there). */
  setThreadRootIfAbsent(service: string, channel: string, groupingKey: string, root: R): Promise<R>;
  deleteThreadRoot(service: string, channel: string, groupingKey: string): Promise<void>;
}

export interface PostJournal<P> {
  getPost(service: string, jobId: string): Promise<P | undefined>;
  putPost(service: string, jobId: string, record: P): Promise<void>;
  deletePost(service: string, jobId: string): Promise<void>;
}

export type ThreadState<R, P> = ThreadRootStore<R> & PostJournal<P>;

const DAY_S = 24 * 60 * 60;

export interface RedisThreadStateOptions {
  keyPrefix: string;
  threadTtlSec?: number;
  postTtlSec?: number;
}

/** A root as stored: its own fields plus the names it is kept under (for people reading Redis). */
type StoredRoot = Record<string, unknown>;

export class RedisThreadState<R extends object, P> implements ThreadState<R, P> {
  protected readonly redis: RedisClient;
  readonly #prefix: string;
  readonly #threadTtl: number;
  readonly #postTtl: number;
  readonly #parseRoot: (stored: StoredRoot) => R | undefined;

  /** `parseRoot` checks a stored root's shape and returns only the root's own fields (undefined: unreadable). */
  constructor(
    redis: RedisClient,
    parseRoot: (stored: StoredRoot) => R | undefined,
    opts: RedisThreadStateOptions,
  ) {
    this.redis = redis;
    this.#parseRoot = parseRoot;
    this.#prefix = opts.keyPrefix;
    this.#threadTtl = opts.threadTtlSec ?? 30 * DAY_S;
    this.#postTtl = opts.postTtlSec ?? 7 * DAY_S;
  }

  /** `<prefix><kind>:<sha256 of the parts>`. */
  protected key(kind: string, ...parts: string[]): string {
    return `${this.#prefix}${kind}:${createHash("sha256").update(parts.join("\u0000")).digest("hex")}`;
  }

  async getThreadRoot(service: string, channel: string, groupingKey: string): Promise<R | undefined> {
    const raw = await this.redis.getex(
      this.key("thread", service, channel, groupingKey),
      "EX",
      this.#threadTtl,
    );
    return raw ? this.#readRoot(raw) : undefined;
  }

  async setThreadRootIfAbsent(service: string, channel: string, groupingKey: string, root: R): Promise<R> {
    const k = this.key("thread", service, channel, groupingKey);
    const value = JSON.stringify({ ...root, service, channel, groupingKey });
    const set = await this.redis.set(k, value, "EX", this.#threadTtl, "NX");
    if (set === "OK") return root;
    const raw = await this.redis.get(k);
    return (raw ? this.#readRoot(raw) : undefined) ?? root;
  }

  async deleteThreadRoot(service: string, channel: string, groupingKey: string): Promise<void> {
    await this.redis.del(this.key("thread", service, channel, groupingKey));
  }

  async getPost(service: string, jobId: string): Promise<P | undefined> {
    const raw = await this.redis.get(this.key("post", service, jobId));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as P;
    } catch {
      return undefined;
    }
  }

  async putPost(service: string, jobId: string, record: P): Promise<void> {
    await this.redis.set(this.key("post", service, jobId), JSON.stringify(record), "EX", this.#postTtl);
  }

  async deletePost(service: string, jobId: string): Promise<void> {
    await this.redis.del(this.key("post", service, jobId));
  }

  #readRoot(raw: string): R | undefined {
    try {
      const v = JSON.parse(raw) as unknown;
      return v !== null && typeof v === "object" ? this.#parseRoot(v as StoredRoot) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Process-local state: threads and idempotency last as long as the process. */
export class InMemoryThreadState<R extends object, P extends object> implements ThreadState<R, P> {
  readonly #roots = new Map<string, R>();
  readonly #posts = new Map<string, P>();

  async getThreadRoot(service: string, channel: string, groupingKey: string) {
    return this.#roots.get(memoryKey(service, channel, groupingKey));
  }
  async setThreadRootIfAbsent(service: string, channel: string, groupingKey: string, root: R) {
    const k = memoryKey(service, channel, groupingKey);
    const existing = this.#roots.get(k);
    if (existing) return existing;
    this.#roots.set(k, { ...root });
    return root;
  }
  async deleteThreadRoot(service: string, channel: string, groupingKey: string) {
    this.#roots.delete(memoryKey(service, channel, groupingKey));
  }
  async getPost(service: string, jobId: string) {
    const r = this.#posts.get(memoryKey(service, jobId));
    return r ? { ...r } : undefined;
  }
  async putPost(service: string, jobId: string, record: P) {
    this.#posts.set(memoryKey(service, jobId), { ...record });
  }
  async deletePost(service: string, jobId: string) {
    this.#posts.delete(memoryKey(service, jobId));
  }
}

/** Key of process-local per-service maps (NUL cannot occur in names). */
export function memoryKey(...parts: string[]): string {
  return parts.join("\u0000");
}
