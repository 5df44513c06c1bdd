// Typed access to the durable queue's own Redis records (job records, ordering lists, dead letters, rate
// limits). BullMQ jobs only carry a job id and wake a worker; everything else lives here.
import type { Redis } from "ioredis";
import type { Destination } from "../config/types.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import { emissionIntervalMs, type RateLimit, rateLimitKey } from "./rate-limit.ts";
import {
  DROP_HEAD,
  ENQUEUE,
  MARK_DEAD,
  MARK_DELIVERED,
  PURGE_DEAD,
  RATE_TAKE,
  RETRY_DEAD,
} from "./redis-scripts.ts";

export const DEFAULT_QUEUE_NAME = "rollouts-notifier";
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
  readonly redis: Redis;
  readonly prefix: string;
  readonly idempotencyTtlMs: number;

  constructor(redis: Redis, opts: { queueName?: string; idempotencyTtlMs?: number } = {}) {
    this.redis = redis;
    // One hash tag for every key of a queue: the multi-key scripts stay in one slot on Redis Cluster.
    this.prefix = `rn:queue:{${opts.queueName ?? DEFAULT_QUEUE_NAME}}`;
    this.idempotencyTtlMs = opts.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
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
