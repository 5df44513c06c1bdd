// The durable producer side: enqueue (idempotent per job id, also long after delivery), wait for jobs to
// settle (replay), and the dead-letter operations behind `rollouts-notifier dlq`.
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "../redis/redis-connection.ts";
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
import { DEFAULT_QUEUE_NAME, READY_EXECUTOR, RedisQueueStore } from "./redis-queue-store.ts";

export interface RedisQueueOptions {
  /** An ioredis client (created with maxRetriesPerRequest: null); not closed by close(). */
  connection: RedisClient;
  queueName?: string;
  idempotencyTtlMs?: number;
  /** How often waitUntilSettled looks at job states. */
  settlePollMs?: number;
  /** Job ids enqueued here (onIdle waits for them) past which the settled ones are forgotten; default 10,000. */
  ownJobsPruneAt?: number;
  /**
   * false: the job ids enqueued here are not remembered, and onIdle refuses (the service, which never waits for
   * idle: no id kept per notification, no look-ups of their states to forget them). Default true.
   */
  tracksOwnJobs?: boolean;
}

/** The fewest own job ids kept before the settled ones are looked up and forgotten (see pruneOwnJobs). */
const OWN_JOBS_PRUNE_AT = 10_000;

export class RedisNotificationQueue implements NotificationQueue, DeadLetterOps {
  readonly durable = true;
  readonly store: RedisQueueStore;
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
  private readonly tracksOwnJobs: boolean;
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
    this.settlePollMs = opts.settlePollMs ?? 100;
    this.minPruneAt = opts.ownJobsPruneAt ?? OWN_JOBS_PRUNE_AT;
    this.pruneAt = this.minPruneAt;
    this.tracksOwnJobs = opts.tracksOwnJobs ?? true;
  }

  /** How many job ids enqueued here are remembered for onIdle (the settled ones are forgotten now and then). */
  get ownJobCount(): number {
    return this.mine.size;
  }

  private remember(jobId: string): void {
    if (!this.tracksOwnJobs) return;
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
   * Each job's record and ordering-list entry, its key's head made ready (one Lua script per job, every job in one
   * round trip). `followedBy` goes last into the same round trip on one server (Redis runs a pipeline's commands in
   * order, so it runs only after every write of the enqueue has run); its reply is in `followUp`. Not on a Cluster
   * (other slots).
   */
  async enqueue(jobs: NotificationJob[], followedBy?: ScriptCall): Promise<EnqueueResult> {
    for (const job of jobs) validateNotificationJob(job);
    const result: EnqueueResult = { enqueued: [], duplicates: [] };
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
    if (!this.store.redis.isCluster) {
      const sent = await this.sendPipelined(unique, followedBy);
      if (sent.followUp) result.followUp = sent.followUp;
      states = sent.states;
    } else {
      states = await this.store.enqueue(unique, Date.now());
    }
    unique.forEach((job, i) => {
      if (states[i]!.state === "created") result.enqueued.push(job.jobId);
      else result.duplicates.push(job.jobId);
      this.remember(job.jobId);
    });
    return result;
  }

  /**
   * The pipelined enqueue (one server, Sentinel): the enqueues asked for while one macrotask runs (the hand-offs of
   * one watch chunk, or of the replies of one Redis read) go out in one pipeline, one socket write, at setImmediate:
   * every record (by SHA), then every `followedBy` call made `requiring` its own jobs' records: a follow-up runs
   * after the enqueue writes it follows and changes nothing where they are missing (a server that lacked the
   * script: the round trip is sent again with its source; a write refused between two commands of one pipeline,
   * OOM or READONLY). A failed enqueue script fails the whole batch (every caller retries: enqueues are idempotent).
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
        () => this.connection.pipeline() as unknown as ChainableCommander,
        (pipe) => {
          for (const e of batch) {
            if (!e.followedBy) continue;
            const f = e.followedBy.requiring(e.jobs.map((job) => this.store.jobKey(job.jobId)));
            f.script.queueByShaIn(pipe, f.keys, f.args);
          }
        },
      );
      let at = 0;
      let followUpAt = 0;
      for (const e of batch) {
        const states = sent.states.slice(at, at + e.jobs.length);
        at += e.jobs.length;
        const followUp = e.followedBy ? sent.after[followUpAt++] : undefined;
        if (followUp && !followUp[0]) e.resolve({ states, followUp: { reply: followUp[1] } });
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
    if (!this.tracksOwnJobs)
      throw new Error("onIdle: this queue does not track the jobs it enqueues (tracksOwnJobs: false)");
    await this.waitUntilSettled([...this.mine]);
  }

  /** Nothing to close: the connection is the caller's. */
  async close(): Promise<void> {}

  /**
   * For the queue gauges: jobs due now (waiting for a free slot), due later (a retry's backoff, a rate limit's wait)
   * or queued behind the head of their key (delayed), in flight (active), and the age of the oldest job not yet
   * delivered.
   */
  async depth(): Promise<{
    waiting: number;
    delayed: number;
    active: number;
    deadLetters: number;
    oldestAgeMs: number;
  }> {
    const now = Date.now();
    const d = await this.store.depth(now);
    return {
      waiting: d.due,
      delayed: d.later + d.behind,
      active: d.active,
      deadLetters: await this.store.countDeadLetters(),
      oldestAgeMs: d.oldestEnqueuedAt === undefined ? 0 : Math.max(0, now - d.oldestEnqueuedAt),
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
    // it runs now if it is the head of its key, otherwise when the jobs before it settle
    if (!(await this.store.requeueDead(letter, READY_EXECUTOR, Date.now()))) return false;
    this.remember(id);
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
}
