// Typed access to the durable queue's own Redis records (job records, ordering lists, dead letters, rate
// limits): their keys and the Lua scripts that change them (src/queue/lua/*.lua) live here and nowhere else.
// BullMQ jobs only carry a job id and wake a worker; everything else lives here.
//
// Key layout under the prefix P = rn:queue:{<queue name>} (src/redis/keys.ts; one hash tag per queue, so every
// script's keys share a slot on a Redis Cluster):
//   P:job:<jobId>       hash: state (queued|delivered|dead|purged), data (job JSON), bullId, orderingKey,
//                       enqueuedAt, attempts, firstAttemptAt, lastAttemptAt, deliveredAt, ref. The idempotency
//                       record: kept while queued or dead, then expires after the idempotency TTL.
//   P:order:<key>       list of queued job ids of one ordering key, in enqueue order; the head is delivered next.
//   P:keys              set of ordering keys with a non-empty list (for the repair sweep).
//   P:dlq               hash jobId -> dead letter JSON. Never trimmed: only `dlq retry` / `dlq purge` remove entries.
//   P:rate:<dest>       GCRA theoretical arrival time of a destination (ms).
// Each script changes a job record, its ordering list and the dead-letter hash together, so a crash leaves either
// the old or the new state, never half of it.

import type { Destination } from "../config/types.ts";
import { queueKeyPrefix } from "../redis/keys.ts";
import { LuaScript } from "../redis/lua-script.ts";
import { hasFailoverReplica, type RedisClient } from "../redis/redis-connection.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import { emissionIntervalMs, type RateLimit, rateLimitKey } from "./rate-limit.ts";

const script = (name: string, keys: number) =>
  LuaScript.load(new URL(`./lua/${name}.lua`, import.meta.url), keys);
const ENQUEUE = script("enqueue", 3);
const MARK_DELIVERED = script("mark-delivered", 3);
const MARK_DEAD = script("mark-dead", 4);
const RETRY_DEAD = script("retry-dead", 4);
const PURGE_DEAD = script("purge-dead", 1);
const PURGE_DEAD_LETTER = script("purge-dead-letter", 2);
const DROP_HEAD = script("drop-head", 2);
const RATE_TAKE = script("rate-take", 1);
const CLAIM = script("claim", 2);
const START_ATTEMPT = script("start-attempt", 2);

export const DEFAULT_QUEUE_NAME = "rollouts-notifier";
/** How long an enqueue waits for a replica to have the records before it answers (Sentinel only). */
export const REPLICA_WAIT_MS = 100;
/** How long a delivered job id is remembered (re-enqueueing it is a no-op meanwhile). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 14 * 24 * 3600_000;

export type JobState = "queued" | "delivered" | "dead" | "purged";

export interface JobRecord {
  state: JobState;
  job: NotificationJob | undefined;
  bullId: string;
  orderingKey: string;
  enqueuedAt: number;
  attempts: number;
  firstAttemptAt: number | undefined;
}

export class RedisQueueStore {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly idempotencyTtlMs: number;
  /** Enqueued records are on a replica before the enqueue returns (a primary crash cannot lose them). */
  readonly waitForReplica: boolean;

  constructor(redis: RedisClient, opts: { queueName?: string; idempotencyTtlMs?: number } = {}) {
    this.redis = redis;
    // One hash tag for every key of a queue: the multi-key scripts stay in one slot on Redis Cluster.
    this.prefix = queueKeyPrefix(opts.queueName ?? DEFAULT_QUEUE_NAME);
    this.idempotencyTtlMs = opts.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.waitForReplica = hasFailoverReplica(redis);
  }

  jobKey(jobId: string): string {
    return `${this.prefix}:job:${jobId}`;
  }
  orderKey(orderingKey: string): string {
    return `${this.prefix}:order:${orderingKey}`;
  }
  get keysKey(): string {
    return `${this.prefix}:keys`;
  }
  get dlqKey(): string {
    return `${this.prefix}:dlq`;
  }
  rateKey(destination: Destination): string {
    return `${this.prefix}:rate:${rateLimitKey(destination)}`;
  }

  /** Creates the record and appends to the ordering list, unless the id is known: then returns its state. */
  async enqueue(
    job: NotificationJob,
    bullId: string,
    now: number,
  ): Promise<{ state: JobState | "created"; bullId: string }> {
    const [state, existingBullId] = (await ENQUEUE.run(
      this.redis,
      [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
      [job.jobId, JSON.stringify(job), bullId, now, job.orderingKey],
    )) as [JobState | "created", string];
    return { state, bullId: existingBullId };
  }

  /**
   * enqueue() for many jobs in one round trip (each job's record + ordering entry still atomic on its own). With a
   * fail-over replica, the same round trip waits (WAIT, ≤ REPLICA_WAIT_MS) until a replica has the records: the
   * watcher saves the object's state only after this, so a primary crash cannot lose a detected notification.
   */
  async enqueueMany(
    jobs: NotificationJob[],
    now: number,
  ): Promise<{ state: JobState | "created"; bullId: string }[]> {
    const replies = await ENQUEUE.runMany(
      this.redis,
      jobs.map((job) => ({
        keys: [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
        args: [job.jobId, JSON.stringify(job), job.jobId, now, job.orderingKey],
      })),
      this.waitForReplica ? { waitForReplica: { timeoutMs: REPLICA_WAIT_MS } } : {},
    );
    return replies.map((r) => {
      const [state, bullId] = r as [JobState | "created", string];
      return { state, bullId };
    });
  }

  /** The ordering key of a job's record (executors added before they carried it as a hint). */
  async orderingKeyOf(jobId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.jobKey(jobId), "orderingKey")) ?? undefined;
  }

  /** Hands a queued job to a new executor (the old one is gone or finished without settling it). */
  async setBullId(jobId: string, bullId: string): Promise<void> {
    await this.redis.hset(this.jobKey(jobId), "bullId", bullId);
  }

  async getRecord(jobId: string): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.jobKey(jobId));
    if (!h.state) return undefined;
    return {
      state: h.state as JobState,
      job: h.data ? (JSON.parse(h.data) as NotificationJob) : undefined,
      bullId: h.bullId ?? jobId,
      orderingKey: h.orderingKey ?? "",
      enqueuedAt: Number(h.enqueuedAt ?? 0),
      attempts: Number(h.attempts ?? 0),
      firstAttemptAt: h.firstAttemptAt ? Number(h.firstAttemptAt) : undefined,
    };
  }

  /**
   * The record of a queued job run by executor `bullId`, and whether it heads its ordering key (one round trip).
   * `orderingKey` is the executor's hint (it must be the record's: otherwise "head" is not trusted).
   */
  async claim(
    jobId: string,
    bullId: string,
    orderingKey: string,
  ): Promise<
    | { outcome: "skip"; why: string }
    | { outcome: "head" | "behind"; record: JobRecord & { job: NotificationJob } }
  > {
    const r = (await CLAIM.run(
      this.redis,
      [this.jobKey(jobId), this.orderKey(orderingKey)],
      [jobId, bullId],
    )) as string[];
    const [where, data, enqueuedAt, attempts, firstAttemptAt, recordKey] = r;
    if (where !== "head" && where !== "behind") return { outcome: "skip", why: where ?? "unknown" };
    const record = {
      state: "queued" as const,
      job: JSON.parse(data!) as NotificationJob,
      bullId,
      orderingKey: recordKey ?? "",
      enqueuedAt: Number(enqueuedAt ?? 0),
      attempts: Number(attempts ?? 0),
      firstAttemptAt: firstAttemptAt ? Number(firstAttemptAt) : undefined,
    };
    // a wrong hint looked at another key's list: let the caller check the real one
    const outcome = recordKey === orderingKey ? where : "behind";
    return { outcome, record };
  }

  /**
   * Takes a send slot of the destination when it is rate limited, then counts the attempt (one round trip).
   * Returns how long to wait (nothing counted), or the attempt number.
   */
  async startAttemptLimited(
    job: NotificationJob,
    limit: RateLimit | undefined,
    now: number,
  ): Promise<{ waitMs: number } | { attempt: number; firstAttemptAt: number }> {
    const [wait, attempt, first] = (await START_ATTEMPT.run(
      this.redis,
      [this.jobKey(job.jobId), this.rateKey(job.destination)],
      [now, limit ? emissionIntervalMs(limit) : 0, limit?.burst ?? 1],
    )) as number[];
    if (Number(wait) > 0) return { waitMs: Number(wait) };
    return { attempt: Number(attempt), firstAttemptAt: Number(first ?? now) };
  }

  async getStates(jobIds: string[]): Promise<(JobState | undefined)[]> {
    if (jobIds.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of jobIds) pipe.hget(this.jobKey(id), "state");
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return (v ?? undefined) as JobState | undefined;
    });
  }

  async head(orderingKey: string): Promise<string | undefined> {
    return (await this.redis.lindex(this.orderKey(orderingKey), 0)) ?? undefined;
  }

  async isInOrder(orderingKey: string, jobId: string): Promise<boolean> {
    return (await this.redis.lpos(this.orderKey(orderingKey), jobId)) !== null;
  }

  async dropHead(orderingKey: string, expectedHead: string): Promise<boolean> {
    return (
      (await DROP_HEAD.run(
        this.redis,
        [this.orderKey(orderingKey), this.keysKey],
        [expectedHead, orderingKey],
      )) === 1
    );
  }

  async orderingKeys(): Promise<string[]> {
    return this.redis.smembers(this.keysKey);
  }

  /** Counts an attempt before it is made (a crash mid-delivery still counts). Returns the attempt number. */
  async startAttempt(jobId: string, now: number): Promise<{ attempt: number; firstAttemptAt: number }> {
    const key = this.jobKey(jobId);
    const res = await this.redis
      .multi()
      .hincrby(key, "attempts", 1)
      .hsetnx(key, "firstAttemptAt", String(now))
      .hset(key, "lastAttemptAt", String(now))
      .hget(key, "firstAttemptAt")
      .exec();
    const attempt = Number(res?.[0]?.[1]);
    const first = Number(res?.[3]?.[1] ?? now);
    return { attempt, firstAttemptAt: first };
  }

  async recordError(jobId: string, code: string, message: string): Promise<void> {
    await this.redis.hset(this.jobKey(jobId), "lastError", JSON.stringify({ code, message }));
  }

  /** Marks delivered (keeps the id for the idempotency TTL) and returns the next head of the ordering key. */
  async markDelivered(
    job: NotificationJob,
    now: number,
    ref: string,
  ): Promise<{ changed: boolean; next?: string }> {
    const [ok, next] = (await MARK_DELIVERED.run(
      this.redis,
      [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
      [job.jobId, job.orderingKey, now, this.idempotencyTtlMs, ref],
    )) as [number, string | null];
    return next ? { changed: ok === 1, next } : { changed: ok === 1 };
  }

  async markDead(letter: DeadLetter): Promise<{ changed: boolean; next?: string }> {
    const job = letter.job;
    const [ok, next] = (await MARK_DEAD.run(
      this.redis,
      [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey, this.dlqKey],
      [job.jobId, job.orderingKey, letter.deadLetteredAt, JSON.stringify(letter)],
    )) as [number, string | null];
    return next ? { changed: ok === 1, next } : { changed: ok === 1 };
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    const all = await this.redis.hgetall(this.dlqKey);
    return Object.values(all)
      .map((v) => JSON.parse(v) as DeadLetter)
      .sort((a, b) => a.deadLetteredAt - b.deadLetteredAt || a.id.localeCompare(b.id));
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const v = await this.redis.hget(this.dlqKey, id);
    return v ? (JSON.parse(v) as DeadLetter) : undefined;
  }

  async countDeadLetters(): Promise<number> {
    return this.redis.hlen(this.dlqKey);
  }

  async requeueDead(letter: DeadLetter, bullId: string, now: number): Promise<boolean> {
    const job = letter.job;
    const res = await RETRY_DEAD.run(
      this.redis,
      [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey, this.dlqKey],
      [job.jobId, job.orderingKey, bullId, now, JSON.stringify(job)],
    );
    return res === 1;
  }

  /** Purges one dead letter (atomically with its job record); false when it is not one (any more). */
  async purgeDeadLetter(id: string): Promise<boolean> {
    const res = await PURGE_DEAD_LETTER.run(
      this.redis,
      [this.jobKey(id), this.dlqKey],
      [id, this.idempotencyTtlMs],
    );
    return res === 1;
  }

  async purgeDeadLetters(): Promise<number> {
    return Number(
      await PURGE_DEAD.run(this.redis, [this.dlqKey], [`${this.prefix}:job:`, this.idempotencyTtlMs]),
    );
  }

  /** Takes a send slot of the destination; returns 0, or how long to wait. */
  async takeRateSlot(destination: Destination, limit: RateLimit, now: number): Promise<number> {
    return Number(
      await RATE_TAKE.run(
        this.redis,
        [this.rateKey(destination)],
        [now, emissionIntervalMs(limit), limit.burst],
      ),
    );
  }
}
