// State a threading chat sink keeps between deliveries, shared by worker replicas and surviving restarts when backed
// by Redis; the in-memory version serves the demo and tests. Used by every type that keeps one thread per group
// (Slack, Mattermost):
//  - thread roots: per (service, channel, groupingKey) the group's root message, so later messages reply in its
//    thread and update it;
//  - the post journal: per (service, job id) how far a delivery got, so a retried job never posts twice (each
//    type's record says what it needs: state, deadline, the posted message's id …).
//  - attempt claims: one attempt per job at a time (a stalled job run again while its first attempt still runs
//    would otherwise find no journal entry either and post too).
// Keys (prefix `sinkKeyPrefix(type)`, "rn:<type>:"; variable parts hashed so any service/channel/key fits):
//   <prefix>thread:<sha256(service, channel, groupingKey)>  JSON root (+ names)              TTL 30d, refreshed on use
//   <prefix>post:<sha256(service, jobId)>                    JSON post record                  TTL 7d
//   <prefix>claim:<sha256(service, jobId)>                   token of the attempt delivering   PX = claim ttl
// Behind Sentinel the record written right before a post waits (WAIT 1, bounded) for the replica: a fail-over
// right after the post then cannot lose it (docs/redis.md, "What a fail-over can lose"). The wait is the client's
// ReplicaWait (src/redis/replica-wait.ts, confirm): one view per client of whether its replica confirms writes.
import { createHash, randomUUID } from "node:crypto";
import { LuaScript } from "../../redis/lua-script.ts";
import { hasFailoverReplica, type RedisClient } from "../../redis/redis-connection.ts";
import { appendWait, ReplicaWait, replicasOf } from "../../redis/replica-wait.ts";

const RELEASE_CLAIM = LuaScript.load(new URL("./lua/release-claim.lua", import.meta.url), 1);
/**
 * How long the write before a post waits for a replica to confirm it. A replica in sync confirms within a round trip,
 * so this is paid only while none does (fail-over under way, replica down).
 */
export const JOURNAL_REPLICA_WAIT_MS = 1_000;

export interface ThreadRootStore<R> {
  getThreadRoot(service: string, channel: string, groupingKey: string): Promise<R | undefined>;
  /** Records the root unless one exists; returns the root in effect (ours or the one already there). */
  setThreadRootIfAbsent(service: string, channel: string, groupingKey: string, root: R): Promise<R>;
  deleteThreadRoot(service: string, channel: string, groupingKey: string): Promise<void>;
}

/** Whether a journal write is on a replica too: one a fail-over cannot lose. */
export interface JournalDurability {
  /** A replica has the write, or there is no fail-over replica to wait for. */
  replicated: boolean;
  /** How long (ms) writes have gone unconfirmed by a replica, this one included (0 when replicated). */
  unconfirmedForMs: number;
}

/** An attempt's exclusive hold on one job's delivery (see PostJournal.claimAttempt). */
export type AttemptClaim = { release(): Promise<void> } | { heldForMs: number };

export interface PostJournal<P> {
  getPost(service: string, jobId: string): Promise<P | undefined>;
  putPost(service: string, jobId: string, record: P): Promise<void>;
  /**
   * putPost for the record written right before a post: answers once a fail-over replica has it (bounded wait), so
   * a fail-over after the post cannot lose the journal entry and let the job post again.
   */
  putPostDurably(service: string, jobId: string, record: P): Promise<JournalDurability>;
  /**
   * One attempt at a time per job: two attempts of one job (a stalled job run again while its first attempt still
   * runs) would both find no journal entry and both post. Held for at most `ttlMs` (a dead worker's claim lapses);
   * `heldForMs` when another attempt holds it.
   */
  claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim>;
  deletePost(service: string, jobId: string): Promise<void>;
}

export type ThreadState<R, P> = ThreadRootStore<R> & PostJournal<P>;

const DAY_S = 24 * 60 * 60;

export interface RedisThreadStateOptions {
  keyPrefix: string;
  threadTtlSec?: number;
  postTtlSec?: number;
  /** Wait for a replica on the write before a post (default: when connected through Sentinel). */
  waitForReplica?: boolean;
  /** Bound of that wait (default JOURNAL_REPLICA_WAIT_MS). */
  replicaWaitMs?: number;
  /** The clock of "unconfirmed for" (tests). With it or waitForReplica, the state keeps a ReplicaWait of its own. */
  now?: () => number;
}

/** A root as stored: its own fields plus the names it is kept under (for people reading Redis). */
type StoredRoot = Record<string, unknown>;

export class RedisThreadState<R extends object, P> implements ThreadState<R, P> {
  protected readonly redis: RedisClient;
  readonly #prefix: string;
  readonly #threadTtl: number;
  readonly #postTtl: number;
  readonly #parseRoot: (stored: StoredRoot) => R | undefined;
  /** The client's replica confirmations (shared with its other waited writes unless the options set them). */
  readonly #replicaWait: ReplicaWait;
  readonly #replicaWaitMs: number;

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
    this.#replicaWait =
      opts.waitForReplica === undefined && opts.now === undefined
        ? ReplicaWait.of(redis)
        : new ReplicaWait(
            opts.waitForReplica ?? hasFailoverReplica(redis),
            opts.now ? { now: opts.now } : {},
          );
    this.#replicaWaitMs = opts.replicaWaitMs ?? JOURNAL_REPLICA_WAIT_MS;
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

  async putPostDurably(service: string, jobId: string, record: P): Promise<JournalDurability> {
    return this.#replicaWait.confirm(async (waitMs) => {
      const pipeline = this.redis
        .pipeline()
        .set(this.key("post", service, jobId), JSON.stringify(record), "EX", this.#postTtl);
      appendWait(pipeline, waitMs);
      const replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
      const [setErr] = replies[0] ?? [new Error("no reply")];
      if (setErr) throw setErr;
      return replicasOf(waitMs, replies);
    }, this.#replicaWaitMs);
  }

  async claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim> {
    const k = this.key("claim", service, jobId);
    const token = randomUUID();
    const ttl = Math.max(1, Math.ceil(ttlMs));
    if ((await this.redis.set(k, token, "PX", ttl, "NX")) === "OK") {
      return {
        release: async () => {
          await RELEASE_CLAIM.run(this.redis, [k], [token]);
        },
      };
    }
    const left = await this.redis.pttl(k);
    return { heldForMs: left > 0 ? left : 1 };
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
  readonly #claims = new Map<string, { token: object; until: number }>();

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
  async putPostDurably(service: string, jobId: string, record: P): Promise<JournalDurability> {
    await this.putPost(service, jobId, record);
    return { replicated: true, unconfirmedForMs: 0 };
  }
  async claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim> {
    const k = memoryKey(service, jobId);
    const now = Date.now();
    const held = this.#claims.get(k);
    if (held && held.until > now) return { heldForMs: held.until - now };
    const token = {};
    this.#claims.set(k, { token, until: now + ttlMs });
    return {
      release: async () => {
        if (this.#claims.get(k)?.token === token) this.#claims.delete(k);
      },
    };
  }
  async deletePost(service: string, jobId: string) {
    this.#posts.delete(memoryKey(service, jobId));
  }
}

/** Key of process-local per-service maps (NUL cannot occur in names). */
export function memoryKey(...parts: string[]): string {
  return parts.join("\u0000");
}
