// The DeliveryStore on Redis (delivery-store.ts): the durable queue's own records (job records, ordering lists, dead letters, rate
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
// Scripts that look at a record other than their KEYS' (claim.lua, remove-from-order.lua: the head of an order)
// build its key from the prefix: it shares the hash tag, so the slot is the same.
// Each script changes a job record, its ordering list and the dead-letter hash together, so a crash leaves either
// the old or the new state, never half of it.

import type { ChainableCommander } from "ioredis";
import type { Destination } from "../config/types.ts";
import { queueKeyPrefix } from "../redis/keys.ts";
import { LuaScript } from "../redis/lua-script.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { appendWait, ReplicaWait, replicasOf } from "../redis/replica-wait.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import type {
  Claim,
  ClaimOptions,
  DeliveryStore,
  DeliveryTicket,
  JobRef,
  JobState,
  QueuedRecord,
  Settled,
} from "./delivery-store.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import { emissionIntervalMs, rateLimitKey } from "./rate-limit.ts";

const script = (name: string, keys: number) =>
  LuaScript.load(new URL(`./lua/${name}.lua`, import.meta.url), keys);
const ENQUEUE = script("enqueue", 3);
const CLAIM = script("claim", 3);
const MARK_DELIVERED = script("mark-delivered", 3);
const MARK_DEAD = script("mark-dead", 4);
const RETRY_DEAD = script("retry-dead", 4);
const PURGE_DEAD = script("purge-dead", 1);
const PURGE_DEAD_LETTER = script("purge-dead-letter", 2);
const DROP_HEAD = script("drop-head", 2);

export type { JobState } from "./delivery-store.ts";

export const DEFAULT_QUEUE_NAME = "rollouts-notifier";
/** How long a delivered job id is remembered (re-enqueueing it is a no-op meanwhile). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 14 * 24 * 3600_000;

export interface JobRecord {
  state: JobState;
  job: NotificationJob | undefined;
  bullId: string;
  orderingKey: string;
  enqueuedAt: number;
  attempts: number;
  firstAttemptAt: number | undefined;
}

export class RedisQueueStore implements DeliveryStore {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly idempotencyTtlMs: number;
  /** Enqueued records are on a replica before the enqueue returns (a primary crash cannot lose them). */
  readonly replicaWait: ReplicaWait;

  constructor(redis: RedisClient, opts: { queueName?: string; idempotencyTtlMs?: number } = {}) {
    this.redis = redis;
    // One hash tag for every key of a queue: the multi-key scripts stay in one slot on Redis Cluster.
    this.prefix = queueKeyPrefix(opts.queueName ?? DEFAULT_QUEUE_NAME);
    this.idempotencyTtlMs = opts.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.replicaWait = ReplicaWait.of(redis);
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

  /**
   * Every job in one round trip (each job's record + ordering entry atomic on its own). With a fail-over replica,
   * the same round trip waits (WAIT, ≤ REPLICA_WAIT_MS: ReplicaWait) until a replica has the records: the watcher
   * saves the object's state only after this, so a primary crash cannot lose a detected notification.
   */
  async enqueue(
    jobs: NotificationJob[],
    now: number,
  ): Promise<{ state: JobState | "created"; executorId: string }[]> {
    const replies = await ENQUEUE.runMany(
      this.redis,
      jobs.map((job) => ({
        keys: [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
        args: [job.jobId, JSON.stringify(job), job.jobId, now, job.orderingKey],
      })),
      this.replicaWait,
    );
    return replies.map((r) => {
      const [state, executorId] = r as [JobState | "created", string];
      return { state, executorId };
    });
  }

  /**
   * enqueue(), and in the same round trip the commands `after` appends to `pipeline` (the BullMQ jobs): they run
   * after the records exist. Returns the states and the replies of the appended commands. One server or Sentinel
   * only: on a Cluster the queue's records and BullMQ's keys live in different slots.
   */
  async enqueueWith(
    jobs: NotificationJob[],
    now: number,
    pipeline: ChainableCommander,
    after: (pipeline: ChainableCommander) => void,
  ): Promise<{
    states: { state: JobState | "created"; executorId: string }[];
    after: [Error | null, unknown][];
  }> {
    return this.replicaWait.write(async (waitMs) => {
      for (const job of jobs) {
        ENQUEUE.queueIn(
          pipeline,
          [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
          [job.jobId, JSON.stringify(job), job.jobId, now, job.orderingKey],
        );
      }
      after(pipeline);
      appendWait(pipeline, waitMs);
      const replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
      const states = replies.slice(0, jobs.length).map(([err, r]) => {
        if (err) throw err;
        const [state, executorId] = r as [JobState | "created", string];
        return { state, executorId };
      });
      const afterCount = replies.length - jobs.length - (waitMs === undefined ? 0 : 1);
      return {
        result: { states, after: replies.slice(jobs.length, jobs.length + afterCount) },
        replicas: replicasOf(waitMs, replies),
      };
    });
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

  async queuedRecord(jobId: string): Promise<QueuedRecord | undefined> {
    const rec = await this.getRecord(jobId);
    if (rec?.state !== "queued" || !rec.job) return undefined;
    const r: QueuedRecord = { job: rec.job, enqueuedAt: rec.enqueuedAt, attempts: rec.attempts };
    if (rec.firstAttemptAt !== undefined) r.firstAttemptAt = rec.firstAttemptAt;
    return r;
  }

  async claim(ticket: DeliveryTicket, opts: ClaimOptions): Promise<Claim> {
    if (opts.rate && !ticket.destination)
      throw new Error("claim: a rate limit needs the ticket's destination");
    const r = (await CLAIM.run(
      this.redis,
      [
        this.jobKey(ticket.jobId),
        this.orderKey(ticket.orderingKey),
        ticket.destination ? this.rateKey(ticket.destination) : `${this.prefix}:rate:`,
      ],
      [
        ticket.jobId,
        ticket.executorId,
        ticket.orderingKey,
        opts.now,
        opts.rate ? emissionIntervalMs(opts.rate) : 0,
        opts.rate?.burst ?? 1,
        opts.countAttempt ? 1 : 0,
        `${this.prefix}:`,
      ],
    )) as (string | number | null)[];
    const [outcome, a, b, c, d] = r;
    if (outcome === "behind") return { outcome, head: { jobId: String(a), executorId: String(b) } };
    if (outcome === "wait") return { outcome, waitMs: Number(a) };
    if (outcome !== "claimed") return { outcome: "skip", why: String(a ?? "unknown") };
    const claim: Claim = {
      outcome,
      job: JSON.parse(String(a)) as NotificationJob,
      enqueuedAt: Number(b ?? 0),
      attempts: Number(c ?? 0),
    };
    if (d) claim.firstAttemptAt = Number(d);
    return claim;
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

  /** Drops a settled head left in an order (the repair sweep). */
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

  async recordRetry(jobId: string, failure: Pick<DeliveryFailure, "code" | "message">): Promise<void> {
    await this.redis.hset(
      this.jobKey(jobId),
      "lastError",
      JSON.stringify({ code: failure.code, message: failure.message }),
    );
  }

  async markDelivered(job: NotificationJob, now: number, ref: string): Promise<Settled> {
    return settled(
      await MARK_DELIVERED.run(
        this.redis,
        [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey],
        [job.jobId, job.orderingKey, now, this.idempotencyTtlMs, ref, `${this.prefix}:`],
      ),
    );
  }

  async markDead(letter: DeadLetter): Promise<Settled> {
    const job = letter.job;
    return settled(
      await MARK_DEAD.run(
        this.redis,
        [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey, this.dlqKey],
        [job.jobId, job.orderingKey, letter.deadLetteredAt, JSON.stringify(letter), `${this.prefix}:`],
      ),
    );
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
}

function settled(reply: unknown): Settled {
  const [ok, next, nextBullId] = reply as [number, string | null, string | null];
  if (!next) return { changed: ok === 1 };
  const ref: JobRef = { jobId: next, executorId: nextBullId ?? next };
  return { changed: ok === 1, next: ref };
}
