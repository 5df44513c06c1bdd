// The DeliveryStore on Redis (delivery-store.ts), and the executor's own sets: the durable queue's records (job
// records, ordering lists, dead letters, rate limits) and which jobs are ready to run or running. Their keys and the
// Lua scripts that change them (src/queue/lua/*.lua) live here and nowhere else.
//
// Key layout under the prefix P = rn:queue:{<queue name>} (src/redis/keys.ts; one hash tag per queue, so every
// script's keys share a slot on a Redis Cluster):
//   P:job:<jobId>       hash: state (queued|delivered|dead|purged), data (job JSON), ticket (what the executor needs
//                       before it claims: ordering key, destination, namespace), bullId (its executor: "rn:ready";
//                       an older version's BullMQ job id), orderingKey, enqueuedAt, attempts, firstAttemptAt,
//                       lastAttemptAt, deliveredAt, ref. The idempotency record: kept while queued or dead, then
//                       expires after the idempotency TTL.
//   P:order:<key>       list of queued job ids of one ordering key, in enqueue order; the head is delivered next.
//   P:keys              set of ordering keys with a non-empty list (for the repair sweep).
//   P:ready             zset jobId -> when it may run (ms): the heads of the keys, no other job. Due now, or later
//                       (a retry's backoff, a rate limit's wait, a namespace's share of the slots).
//   P:active            zset jobId -> when its executor's lease ends (ms): the jobs being run. A lease that runs out
//                       (an executor killed mid-delivery) puts its job back in the ready set.
//   P:stalled           hash jobId -> when a take first saw its lease run out (taken back a grace period later,
//                       unless its owner renews or settles it meanwhile).
//   P:marker            zset of one member: set when jobs became due, so an idle executor blocked on it wakes.
//   P:dlq               hash jobId -> dead letter JSON. Never trimmed: only `dlq retry` / `dlq purge` remove entries.
//   P:rate:<dest>       GCRA theoretical arrival time of a destination (ms).
// Scripts that look at a record other than their KEYS' (claim.lua, ready-head.lua: the head of an order;
// take-due.lua: the tickets of the jobs it hands out) build its key from the prefix: it shares the hash tag, so
// the slot is the same.
// Each script changes a job record, its ordering list, the ready/active sets and the dead-letter hash together, so
// a crash leaves either the old or the new state, never half of it.

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
  HandedOff,
  HandOff,
  JobState,
  QueuedRecord,
  Settled,
} from "./delivery-store.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import { emissionIntervalMs, rateLimitKey } from "./rate-limit.ts";

const script = (name: string, keys: number) =>
  LuaScript.load(new URL(`./lua/${name}.lua`, import.meta.url), keys);
const ENQUEUE = script("enqueue", 6);
const CLAIM = script("claim", 3);
const TAKE = script("take", 3);
const RELEASE = script("release", 5);
const MARK_DELIVERED = script("mark-delivered", 6);
const MARK_DEAD = script("mark-dead", 7);
const READY_KEY = script("ready-key", 5);
const RETRY_DEAD = script("retry-dead", 7);
const PURGE_DEAD = script("purge-dead", 1);
const PURGE_DEAD_LETTER = script("purge-dead-letter", 2);
const DEPTH = script("depth", 3);

/** The executor of every job this store makes ready (an older version's records name a BullMQ job instead). */
export const READY_EXECUTOR = "rn:ready";
/** How long a lease is seen run out before its job is taken back, unless the store is told otherwise. */
const DEFAULT_STALLED_GRACE_MS = 5_000;
/** How many ordering keys the queue gauges look at (depth.lua). */
const DEPTH_MAX_KEYS = 10_000;

/** What the executor needs of a job before it claims it (kept in the record's `ticket` field). */
function ticketJson(job: NotificationJob): string {
  const t: Omit<DeliveryTicket, "jobId" | "executorId"> = {
    orderingKey: job.orderingKey,
    destination: { service: job.destination.service, recipient: job.destination.recipient },
  };
  if (job.tenantNamespace !== undefined) t.tenantNamespace = job.tenantNamespace;
  return JSON.stringify(t);
}

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
  /** How long a lease is seen run out before its job is taken back (take-due.lua). */
  readonly stalledGraceMs: number;

  constructor(
    redis: RedisClient,
    opts: { queueName?: string; idempotencyTtlMs?: number; stalledGraceMs?: number } = {},
  ) {
    this.redis = redis;
    // One hash tag for every key of a queue: the multi-key scripts stay in one slot on Redis Cluster.
    this.prefix = queueKeyPrefix(opts.queueName ?? DEFAULT_QUEUE_NAME);
    this.idempotencyTtlMs = opts.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.replicaWait = ReplicaWait.of(redis);
    this.stalledGraceMs = opts.stalledGraceMs ?? DEFAULT_STALLED_GRACE_MS;
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
  get readyKey(): string {
    return `${this.prefix}:ready`;
  }
  get activeKey(): string {
    return `${this.prefix}:active`;
  }
  /** What an idle executor blocks on (BZPOPMIN): set when jobs became due. */
  get markerKey(): string {
    return `${this.prefix}:marker`;
  }

  /**
   * The keys of a script that changes a job's record and its key's order together with the ready/active sets:
   * job, order, keys, (dlq,) ready, active, marker.
   */
  private jobAndSetKeys(job: NotificationJob, withDeadLetters = false): string[] {
    const keys = [this.jobKey(job.jobId), this.orderKey(job.orderingKey), this.keysKey];
    if (withDeadLetters) keys.push(this.dlqKey);
    keys.push(this.readyKey, this.activeKey, this.markerKey);
    return keys;
  }

  private enqueueCall(job: NotificationJob, now: number): { keys: string[]; args: (string | number)[] } {
    return {
      keys: this.jobAndSetKeys(job),
      args: [job.jobId, JSON.stringify(job), ticketJson(job), now, job.orderingKey, `${this.prefix}:`],
    };
  }

  /**
   * Every job in one round trip (each job's record + ordering entry atomic on its own; the head of a key made
   * ready). With a fail-over replica, the same round trip waits (WAIT, ≤ REPLICA_WAIT_MS: ReplicaWait) until a
   * replica has the records: the watcher saves the object's state only after this, so a primary crash cannot lose a
   * detected notification.
   */
  async enqueue(
    jobs: NotificationJob[],
    now: number,
  ): Promise<{ state: JobState | "created"; executorId: string }[]> {
    const replies = await ENQUEUE.runMany(
      this.redis,
      jobs.map((job) => this.enqueueCall(job, now)),
      this.replicaWait,
    );
    return replies.map((r) => {
      const [state, executorId] = r as [JobState | "created", string];
      return { state, executorId };
    });
  }

  /**
   * enqueue(), and in the same round trip the commands `after` appends to the pipeline (after each job's script,
   * Redis runs a pipeline in order). The enqueue goes by SHA: appended calls must be made `requiring` the job
   * records (see ScriptCall), so that on a server that lacks the script (new, restarted, failed over: NOSCRIPT)
   * they change nothing; the round trip is then sent again with the enqueue's source. Returns the states and the
   * replies of the appended commands. One server or Sentinel only: on a Cluster the queue's records and the
   * watcher's keys live in different slots.
   */
  async enqueueWith(
    jobs: NotificationJob[],
    now: number,
    newPipeline: () => ChainableCommander,
    after: (pipeline: ChainableCommander) => void,
  ): Promise<{
    states: { state: JobState | "created"; executorId: string }[];
    after: [Error | null, unknown][];
  }> {
    const calls = jobs.map((job) => this.enqueueCall(job, now));
    return this.replicaWait.write(async (waitMs) => {
      const send = async (bySource: boolean) => {
        const pipeline = newPipeline();
        for (const call of calls) {
          if (bySource) ENQUEUE.queueIn(pipeline, call.keys, call.args);
          else ENQUEUE.queueByShaIn(pipeline, call.keys, call.args);
        }
        after(pipeline);
        appendWait(pipeline, waitMs);
        return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
      };
      let replies = await send(false);
      if (replies.slice(0, jobs.length).some(([err]) => String(err?.message).includes("NOSCRIPT"))) {
        const first = replies;
        replies = await send(true);
        // an appended call that ran the first time (its jobs' records existed: a repeated enqueue) ran again as a
        // no-op: its first reply is what it did
        for (let i = jobs.length; i < first.length - (waitMs === undefined ? 0 : 1); i++) {
          if (first[i] && !first[i]![0]) replies[i] = first[i]!;
        }
      }
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

  /**
   * The repair sweep: every ordering key's head made ready when it has no executor (a record an older version
   * queued for its BullMQ job; anything a bug left behind), settled heads dropped. Returns how many were made ready.
   */
  async readyHeads(orderingKeys: string[], now: number): Promise<number> {
    const replies = await READY_KEY.runMany(
      this.redis,
      orderingKeys.map((key) => ({
        keys: [this.orderKey(key), this.keysKey, this.readyKey, this.activeKey, this.markerKey],
        args: [key, `${this.prefix}:`, now],
      })),
    );
    return replies.filter((r) => r === 1).length;
  }

  /** Up to n due jobs for an executor with free slots (leases that ran out are returned to the ready set first). */
  async take(n: number, now: number, leaseMs: number): Promise<HandedOff> {
    return handedOff(
      await TAKE.run(
        this.redis,
        [this.readyKey, this.activeKey, this.markerKey],
        [`${this.prefix}:`, n, now, now + leaseMs, this.stalledGraceMs],
      ),
      0,
    );
  }

  /**
   * Ends a job's turn without settling it (release.lua): back to the ready set at `dueAt`, or out of the
   * executor's hands (dueAt undefined: skipped, or behind another job of its key, whose head is made ready). The
   * executor is handed its next due jobs in the same step.
   */
  async release(jobId: string, opts: { dueAt?: number }, handOff: HandOff): Promise<HandedOff> {
    const now = Date.now();
    const n = handOff.count();
    return handedOff(
      await RELEASE.run(
        this.redis,
        [this.jobKey(jobId), this.readyKey, this.activeKey, this.markerKey, this.keysKey],
        [
          jobId,
          opts.dueAt === undefined ? "" : Math.ceil(opts.dueAt),
          `${this.prefix}:`,
          n,
          now,
          now + handOff.leaseMs,
          this.stalledGraceMs,
        ],
      ),
      0,
    );
  }

  /**
   * Renews the leases of the jobs an executor runs (one taken back meanwhile is not touched), clearing any note
   * that a take saw them run out.
   */
  async renewLeases(jobIds: string[], until: number): Promise<void> {
    if (jobIds.length === 0) return;
    const args: (string | number)[] = [];
    for (const id of jobIds) args.push(until, id);
    const pipe = this.redis.pipeline();
    pipe.zadd(this.activeKey, "XX", ...args);
    pipe.hdel(`${this.prefix}:stalled`, ...jobIds);
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  }

  /** The queue gauges (depth.lua). */
  async depth(now: number): Promise<{
    due: number;
    later: number;
    active: number;
    behind: number;
    oldestEnqueuedAt: number | undefined;
  }> {
    const [due, later, active, behind, oldest] = (await DEPTH.run(
      this.redis,
      [this.readyKey, this.activeKey, this.keysKey],
      [now, `${this.prefix}:`, DEPTH_MAX_KEYS],
    )) as [number, number, number, number, string];
    return {
      due: Number(due),
      later: Number(later),
      active: Number(active),
      behind: Number(behind),
      oldestEnqueuedAt: oldest ? Number(oldest) : undefined,
    };
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

  async markDelivered(job: NotificationJob, now: number, ref: string, handOff?: HandOff): Promise<Settled> {
    const n = handOff?.count() ?? 0;
    return settled(
      await MARK_DELIVERED.run(this.redis, this.jobAndSetKeys(job), [
        job.jobId,
        job.orderingKey,
        now,
        this.idempotencyTtlMs,
        ref,
        `${this.prefix}:`,
        n,
        now + (handOff?.leaseMs ?? 0),
        this.stalledGraceMs,
      ]),
      handOff,
    );
  }

  async markDead(letter: DeadLetter, handOff?: HandOff): Promise<Settled> {
    const job = letter.job;
    const now = Date.now();
    const n = handOff?.count() ?? 0;
    return settled(
      await MARK_DEAD.run(this.redis, this.jobAndSetKeys(job, true), [
        job.jobId,
        job.orderingKey,
        letter.deadLetteredAt,
        JSON.stringify(letter),
        `${this.prefix}:`,
        n,
        now + (handOff?.leaseMs ?? 0),
        this.stalledGraceMs,
      ]),
      handOff,
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

  async requeueDead(letter: DeadLetter, _executorId: string, now: number): Promise<boolean> {
    const job = letter.job;
    const res = await RETRY_DEAD.run(this.redis, this.jobAndSetKeys(job, true), [
      job.jobId,
      job.orderingKey,
      now,
      JSON.stringify(job),
      ticketJson(job),
      `${this.prefix}:`,
    ]);
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

/** A settle script's reply: {ok, nextHead|false, ...take-due.lua's reply} (handedOff only when one was asked for). */
function settled(reply: unknown, handOff: HandOff | undefined): Settled {
  const r = reply as unknown[];
  const next = r[1];
  const result: Settled = { changed: r[0] === 1 };
  if (handOff) result.handedOff = handedOff(r, 2);
  if (next) result.next = { jobId: String(next), executorId: READY_EXECUTOR };
  return result;
}

/** take-due.lua's reply from `from` on: {jobId, ticket, ..., nextDue}. */
function handedOff(reply: unknown, from: number): HandedOff {
  const r = reply as (string | null)[];
  const taken: DeliveryTicket[] = [];
  for (let i = from; i + 1 < r.length; i += 2) {
    const jobId = String(r[i]);
    const t: DeliveryTicket = { jobId, executorId: READY_EXECUTOR, orderingKey: "" };
    const json = r[i + 1];
    // a record queued by an older version has no ticket: the engine reads the record first
    if (json) Object.assign(t, JSON.parse(json) as Omit<DeliveryTicket, "jobId" | "executorId">);
    taken.push(t);
  }
  const next = r[r.length - 1];
  return { taken, nextDueAt: next ? Number(next) : undefined };
}
