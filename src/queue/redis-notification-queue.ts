// The durable producer side: enqueue (idempotent per job id, also long after delivery), wait for jobs to
// settle (replay), and the dead-letter operations behind `rollouts-notifier dlq`.
import { Queue } from "bullmq";
import type { Logger } from "../logger.ts";
import { bullPrefix } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import {
  addExecutorTo,
  BULL_JOB_NAME,
  bullPipeline,
  DEFAULT_KEEP_COMPLETED,
  type ExecutorJobData,
  ensureRunnable,
  executorJobData,
  executorJobOptions,
  freshBullId,
  type KeepCompleted,
} from "./bullmq-executor.ts";
import { type NotificationJob, validateNotificationJob } from "./notification-job.ts";
import {
  type DeadLetter,
  type DeadLetterOps,
  type EnqueueResult,
  type NotificationQueue,
  type ScriptCall,
  type SettledReport,
  SettleTimeoutError,
} from "./notification-queue.ts";
import { DEFAULT_QUEUE_NAME, RedisQueueStore } from "./redis-queue-store.ts";

export interface RedisQueueOptions {
  /** An ioredis client (created with maxRetriesPerRequest: null); not closed by close(). */
  connection: RedisClient;
  queueName?: string;
  idempotencyTtlMs?: number;
  keepCompleted?: KeepCompleted;
  /** How often waitUntilSettled looks at job states. */
  settlePollMs?: number;
  /** Where connection errors of the BullMQ queue go (they are retried; unlistened they would crash). */
  logger?: Logger;
  /** Job ids enqueued here (onIdle waits for them) past which the settled ones are forgotten; default 10,000. */
  ownJobsPruneAt?: number;
}

/** The fewest own job ids kept before the settled ones are looked up and forgotten (see pruneOwnJobs). */
const OWN_JOBS_PRUNE_AT = 10_000;

export class RedisNotificationQueue implements NotificationQueue, DeadLetterOps {
  readonly durable = true;
  readonly store: RedisQueueStore;
  readonly bull: Queue;
  private readonly keep: KeepCompleted;
  private readonly settlePollMs: number;
  /**
   * The job ids this process enqueued, for onIdle. Settled ones are forgotten once there are ownJobsPruneAt of them
   * (pruneOwnJobs): a long-running watcher enqueues without end and never waits for idle, and kept every id it ever
   * enqueued (~200 bytes each: at 200 notifications/s, ~3 GB a day).
   */
  private readonly mine = new Set<string>();
  private pruneAt: number;
  private readonly minPruneAt: number;
  private pruning = false;
  private readonly connection: RedisClient;
  private pipelinedBatch: {
    jobs: NotificationJob[];
    followedBy: ScriptCall | undefined;
    resolve: (sent: {
      states: { state: string; executorId: string }[];
      followUp?: { reply: unknown };
    }) => void;
    reject: (err: unknown) => void;
  }[] = [];

  constructor(opts: RedisQueueOptions) {
    const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
    const storeOpts: { queueName: string; idempotencyTtlMs?: number } = { queueName };
    if (opts.idempotencyTtlMs !== undefined) storeOpts.idempotencyTtlMs = opts.idempotencyTtlMs;
    this.store = new RedisQueueStore(opts.connection, storeOpts);
    this.connection = opts.connection;
    this.bull = new Queue(queueName, { connection: opts.connection, prefix: bullPrefix(opts.connection) });
    this.bull.on("error", (err) =>
      opts.logger?.warn({ err: err.message }, "notification queue: Redis error"),
    );
    this.keep = opts.keepCompleted ?? DEFAULT_KEEP_COMPLETED;
    this.settlePollMs = opts.settlePollMs ?? 100;
    this.minPruneAt = opts.ownJobsPruneAt ?? OWN_JOBS_PRUNE_AT;
    this.pruneAt = this.minPruneAt;
  }

  /** How many job ids enqueued here are remembered for onIdle (the settled ones are forgotten now and then). */
  get ownJobCount(): number {
    return this.mine.size;
  }

  private remember(jobId: string): void {
    this.mine.add(jobId);
    if (this.mine.size >= this.pruneAt && !this.pruning) void this.pruneOwnJobs();
  }

  /**
   * Forgets the own job ids that have settled (delivered, dead-lettered, purged, or expired), looked up 1,000 at a
   * time; the next prune comes when twice as many as are left are remembered, so a backlog is not looked up again
   * at every enqueue. A failed look-up forgets nothing (the next enqueue past the mark tries again).
   */
  private async pruneOwnJobs(): Promise<void> {
    this.pruning = true;
    try {
      const ids = [...this.mine];
      for (let i = 0; i < ids.length; i += 1_000) {
        const chunk = ids.slice(i, i + 1_000);
        const states = await this.store.getStates(chunk);
        states.forEach((s, k) => {
          if (s === undefined || s === "delivered" || s === "dead" || s === "purged")
            this.mine.delete(chunk[k]!);
        });
      }
      this.pruneAt = Math.max(this.minPruneAt, 2 * this.mine.size);
    } catch {
      // Redis unavailable: the ids stay until the next prune
    } finally {
      this.pruning = false;
    }
  }

  /**
   * Record + ordering-list entry first (one Lua script), then the BullMQ job. A crash between the two (a Cluster's
   * two round trips) leaves a queued record without executor: enqueueing it again adds the executor (a known but
   * still queued id is re-added; BullMQ ignores an id it holds), and the worker's repair sweep adds it otherwise.
   * `followedBy` goes last into the same round trip on one server (Redis runs a pipeline's commands in order, so it
   * runs only after every write of the enqueue has run); its reply is in `followUp`. Not on a Cluster (other slots).
   */
  async enqueue(jobs: NotificationJob[], followedBy?: ScriptCall): Promise<EnqueueResult> {
    for (const job of jobs) validateNotificationJob(job);
    const result: EnqueueResult = { enqueued: [], duplicates: [] };
    const toAdd: { name: string; data: ExecutorJobData; opts: ReturnType<typeof executorJobOptions> }[] = [];
    const now = Date.now();
    const seen = new Set<string>();
    const unique: NotificationJob[] = [];
    for (const job of jobs) {
      if (seen.has(job.jobId)) result.duplicates.push(job.jobId);
      else {
        seen.add(job.jobId);
        unique.push(job);
      }
    }
    let states: { state: string; executorId: string }[];
    // On one server or Sentinel, one round trip: the records, then (in the same pipeline, so after them) a BullMQ
    // job per notification under its own id. A known id gets one too: BullMQ ignores an id it holds, and a new one
    // finds the record settled (or owned by another executor) and does nothing. On a Cluster the records and
    // BullMQ's keys are in different slots: one round trip for the records, then one for the BullMQ jobs.
    const pipelined = !this.store.redis.isCluster;
    if (pipelined) {
      const sent = await this.sendPipelined(unique, followedBy);
      if (sent.followUp) result.followUp = sent.followUp;
      states = sent.states;
    } else {
      states = await this.store.enqueue(unique, now);
    }
    unique.forEach((job, i) => {
      const { state, executorId: bullId } = states[i]!;
      const added = pipelined && bullId === job.jobId;
      if ((state === "created" || state === "queued") && !added) {
        toAdd.push({
          name: BULL_JOB_NAME,
          data: executorJobData(job),
          opts: executorJobOptions(bullId, this.keep),
        });
      }
      if (state === "created") result.enqueued.push(job.jobId);
      else result.duplicates.push(job.jobId);
      this.remember(job.jobId);
    });
    if (toAdd.length > 0) await this.bull.addBulk(toAdd);
    return result;
  }

  /**
   * The pipelined enqueue (one server, Sentinel): the enqueues asked for while one macrotask runs (the hand-offs of
   * one watch chunk, or of the replies of one Redis read) go out in one pipeline, one socket write, at setImmediate:
   * every record, then every BullMQ job, then every `followedBy` call, so each follow-up still runs after the
   * enqueue writes it follows. A failed enqueue script fails the whole batch (every caller retries: enqueues are
   * idempotent); a failed BullMQ add fails its own caller. A follow-up runs even where a command before it answered
   * an error — only a write refusal that starts between two commands of one pipeline (OOM, READONLY) could do that,
   * and then the caller, rejected, enqueues again (a crash before that retry would lose the notification).
   */
  private sendPipelined(
    jobs: NotificationJob[],
    followedBy: ScriptCall | undefined,
  ): Promise<{ states: { state: string; executorId: string }[]; followUp?: { reply: unknown } }> {
    return new Promise((resolve, reject) => {
      this.pipelinedBatch.push({ jobs, followedBy, resolve, reject });
      if (this.pipelinedBatch.length === 1) setImmediate(() => void this.flushPipelined());
    });
  }

  private async flushPipelined(): Promise<void> {
    const batch = this.pipelinedBatch;
    this.pipelinedBatch = [];
    const jobs = batch.flatMap((e) => e.jobs);
    try {
      const sent = await this.store.enqueueWith(
        jobs,
        Date.now(),
        await bullPipeline(this.bull, this.connection),
        (pipe) => {
          for (const job of jobs) addExecutorTo(this.bull, pipe, executorJobData(job), job.jobId, this.keep);
          for (const { followedBy: f } of batch) f?.script.queueByShaIn(pipe, f.keys, f.args);
        },
      );
      let at = 0;
      let followUpAt = jobs.length;
      for (const e of batch) {
        const added = sent.after.slice(at, at + e.jobs.length);
        const states = sent.states.slice(at, at + e.jobs.length);
        at += e.jobs.length;
        const followUp = e.followedBy ? sent.after[followUpAt++] : undefined;
        const failed = added.find(([err]) => err);
        if (failed) e.reject(failed[0]);
        else if (followUp && !followUp[0]) e.resolve({ states, followUp: { reply: followUp[1] } });
        else e.resolve({ states });
      }
    } catch (err) {
      for (const e of batch) e.reject(err);
    }
  }

  async waitUntilSettled(jobIds: string[], opts: { timeoutMs?: number } = {}): Promise<SettledReport> {
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
    for (;;) {
      const states = await this.store.getStates(jobIds);
      const report: SettledReport = { delivered: [], deadLettered: [], unknown: [] };
      const pending: string[] = [];
      states.forEach((s, i) => {
        const id = jobIds[i]!;
        if (s === "delivered") report.delivered.push(id);
        else if (s === "dead" || s === "purged") report.deadLettered.push(id);
        else if (s === undefined) report.unknown.push(id);
        else pending.push(id);
      });
      if (pending.length === 0) return report;
      if (Date.now() >= deadline) throw new SettleTimeoutError(pending, opts.timeoutMs ?? 0);
      await new Promise((r) => setTimeout(r, this.settlePollMs));
    }
  }

  async onIdle(): Promise<void> {
    await this.waitUntilSettled([...this.mine]);
  }

  async close(): Promise<void> {
    await this.bull.close();
  }

  /**
   * For the queue gauges: BullMQ jobs waiting/delayed/active (a job behind its key's head counts as delayed),
   * and the age of the oldest job not yet delivered (waiting, delayed or in flight).
   */
  async depth(): Promise<{
    waiting: number;
    delayed: number;
    active: number;
    deadLetters: number;
    oldestAgeMs: number;
  }> {
    const c = await this.bull.getJobCounts("waiting", "delayed", "active", "prioritized");
    let oldest = Number.POSITIVE_INFINITY;
    for (const state of ["waiting", "delayed", "active", "prioritized"] as const) {
      // oldest first: BullMQ lists waiting jobs newest first unless asc
      const [job] = await this.bull.getJobs([state], 0, 0, true);
      if (job?.timestamp !== undefined) oldest = Math.min(oldest, job.timestamp);
    }
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      deadLetters: await this.store.countDeadLetters(),
      oldestAgeMs: Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) : 0,
    };
  }

  // --- dead letters ----------------------------------------------------------------------------------

  listDeadLetters(): Promise<DeadLetter[]> {
    return this.store.listDeadLetters();
  }

  countDeadLetters(): Promise<number> {
    return this.store.countDeadLetters();
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const letter = await this.store.getDeadLetter(id);
    if (!letter) return false;
    const bullId = freshBullId(id, Date.now());
    if (!(await this.store.requeueDead(letter, bullId, Date.now()))) return false;
    this.remember(id);
    // If it is the head of its key now, run it; otherwise it runs when the jobs before it settle.
    await this.bull.add(BULL_JOB_NAME, executorJobData(letter.job), executorJobOptions(bullId, this.keep));
    return true;
  }

  async retryAllDeadLetters(): Promise<number> {
    let n = 0;
    for (const letter of await this.store.listDeadLetters()) {
      if (await this.retryDeadLetter(letter.id)) n++;
    }
    return n;
  }

  purgeDeadLetters(): Promise<number> {
    return this.store.purgeDeadLetters();
  }

  purgeDeadLetter(id: string): Promise<boolean> {
    return this.store.purgeDeadLetter(id);
  }

  /** Repairs one queued job's executor (see ensureRunnable). */
  ensureRunnable(jobId: string): ReturnType<typeof ensureRunnable> {
    return ensureRunnable(this.store, this.bull, jobId, { promote: true, keep: this.keep });
  }
}
