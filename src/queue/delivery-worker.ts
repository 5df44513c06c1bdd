// The durable worker: BullMQ jobs are the executors of the delivery engine (delivery-engine.ts) over the Redis
// store (redis-queue-store.ts). The engine decides (deliver, retry, dead-letter, wait for the head of the key); this
// file turns its steps into BullMQ moves: delay for a retry or a rate limit, park behind the head, promote the
// next job of a key when its predecessor settles, repair executors that were lost.
//
// Order: each ordering key (rollout uid + service + recipient) has a list of its queued job ids, appended
// atomically with the job record at enqueue. Only the head of the list is delivered; a job that is not the
// head delays itself (headWaitMs) and is promoted as soon as the job before it is delivered or dead-lettered.
// A head that is retrying with backoff therefore holds back only its own key: other keys run freely.
// Stalled deliveries (a worker killed mid-delivery) are recovered by BullMQ's stalled check and delivered
// again (at least once: sinks use the job id for idempotency where the API allows).
import { DelayedError, type Job, Queue, Worker } from "bullmq";
import { bullPrefix } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import {
  DEFAULT_KEEP_COMPLETED,
  type ExecutorJobData,
  ensureRunnable,
  executorTicket,
  type KeepCompleted,
  promoteNext,
} from "./bullmq-executor.ts";
import { createDeliveryEngine } from "./delivery-engine.ts";
import type { JobRef } from "./delivery-store.ts";
import { DEFAULT_QUEUE_CONCURRENCY, type DeliveryOptions } from "./notification-queue.ts";
import { DEFAULT_QUEUE_NAME, RedisQueueStore } from "./redis-queue-store.ts";

export interface DeliveryWorkerOptions extends DeliveryOptions {
  /** An ioredis client created with maxRetriesPerRequest: null (see createRedisConnection); not closed here. */
  connection: RedisClient;
  queueName?: string;
  idempotencyTtlMs?: number;
  keepCompleted?: KeepCompleted;
  /** How long a job behind the head of its key waits before looking again (it is promoted sooner normally). */
  headWaitMs?: number;
  /** BullMQ lock duration: a killed worker's job is taken over after about this long. */
  lockDurationMs?: number;
  /** BullMQ stalled-check interval. Keep it the same on every worker: the first to check sets the pace for all. */
  stalledIntervalMs?: number;
  /** How often queued jobs without a live BullMQ job (producer crash, lost executor) are repaired. */
  repairIntervalMs?: number;
}

export type ExecutorResult = { outcome: "delivered" | "dead-lettered" } | { outcome: "skipped"; why: string };

export interface DeliveryWorker {
  readonly worker: Worker<ExecutorJobData, ExecutorResult>;
  /** Stops taking jobs; waits for in-flight deliveries unless force (then they are recovered as stalled). */
  close(opts?: { force?: boolean }): Promise<void>;
  /** One repair sweep now; returns how many ordering keys it looked at. */
  repair(): Promise<number>;
}

export async function startDeliveryWorker(opts: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const storeOpts: { queueName: string; idempotencyTtlMs?: number } = { queueName };
  if (opts.idempotencyTtlMs !== undefined) storeOpts.idempotencyTtlMs = opts.idempotencyTtlMs;
  const store = new RedisQueueStore(opts.connection, storeOpts);
  const queue = new Queue(queueName, { connection: opts.connection, prefix: bullPrefix(opts.connection) });
  const keep = opts.keepCompleted ?? DEFAULT_KEEP_COMPLETED;
  const headWaitMs = opts.headWaitMs ?? 5_000;
  const log = opts.logger.child({ component: "delivery-worker" });
  // the delivery hooks log dead letters for operators; the engine's own line is the worker's trace
  const engine = createDeliveryEngine(store, { ...opts, logger: log, deadLetterLogLevel: "debug" });

  /** An executor that failed for infrastructure reasons (BullMQ gave up on it): the job is dead-lettered visibly. */
  const deadLetterFailedExecutor = async (jobId: string, reason: string): Promise<void> => {
    const step = await engine.abandon(jobId, { code: "worker-error", message: reason, transient: true });
    if (step.outcome === "dead-lettered" && step.next) await kickNext(step.next);
  };

  const kickNext = async (next: JobRef): Promise<void> => {
    try {
      await promoteNext(store, queue, next, { keep, onFailedExecutor: deadLetterFailedExecutor });
    } catch (err) {
      // the job still runs after headWaitMs, or the repair sweep adds it
      log.debug({ jobId: next.jobId, err: (err as Error).message }, "could not promote next job");
    }
  };

  const delay = async (
    bullJob: Job<ExecutorJobData>,
    token: string | undefined,
    ms: number,
  ): Promise<never> => {
    await bullJob.moveToDelayed(Date.now() + Math.max(0, Math.ceil(ms)), token);
    throw new DelayedError();
  };

  const processJob = async (bullJob: Job<ExecutorJobData>, token?: string): Promise<ExecutorResult> => {
    const ticket = executorTicket(bullJob.data, bullJob.id ?? bullJob.data.jobId);
    const step = await engine.run(ticket);
    switch (step.outcome) {
      case "skipped":
        return { outcome: "skipped", why: step.why === "superseded" ? "superseded executor" : step.why };
      case "retry":
      case "rate-limited":
      case "deferred":
        return delay(bullJob, token, step.delayMs);
      case "behind": {
        // The head runs first: make sure it has a live executor, then wait for its settle to promote this one.
        await ensureRunnable(store, queue, step.head, {
          promote: false,
          keep,
          onFailedExecutor: deadLetterFailedExecutor,
        });
        await bullJob.moveToDelayed(Date.now() + headWaitMs, token);
        // The head may have settled meanwhile and found this job still active (nothing to promote then): look
        // again now that it is delayed. Either that settle's promotion or this check wakes it without a wait.
        if ((await store.head(ticket.orderingKey)) === ticket.jobId) await bullJob.promote().catch(() => {});
        throw new DelayedError();
      }
      default:
        if (step.next) await kickNext(step.next);
        return { outcome: step.outcome };
    }
  };

  const worker = new Worker<ExecutorJobData, ExecutorResult>(queueName, processJob, {
    connection: opts.connection,
    prefix: bullPrefix(opts.connection),
    concurrency: opts.concurrency ?? DEFAULT_QUEUE_CONCURRENCY,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    // Stalls are crashes; attempts (counted before each delivery) bound a job that keeps killing workers.
    maxStalledCount: 1_000,
    removeOnComplete: { age: keep.age, count: keep.count },
    autorun: true,
  });
  worker.on("error", (err) => log.error({ err: err.message }, "delivery worker error"));
  queue.on("error", (err) => log.warn({ err: err.message }, "delivery worker queue: Redis error"));
  worker.on("failed", (bullJob, err) => {
    // Only infrastructure errors get here (delivery failures are handled above): give up on the job visibly.
    if (!bullJob || bullJob.attemptsMade < (bullJob.opts.attempts ?? 1)) return;
    void deadLetterFailedExecutor(bullJob.data.jobId, err.message).catch((e) =>
      log.error({ jobId: bullJob.data.jobId, err: (e as Error).message }, "could not dead-letter failed job"),
    );
  });

  const repair = async (): Promise<number> => {
    const keys = await store.orderingKeys();
    for (const key of keys) {
      const head = await store.head(key);
      if (head === undefined) continue;
      if (
        (await ensureRunnable(store, queue, head, {
          promote: false,
          keep,
          onFailedExecutor: deadLetterFailedExecutor,
        })) === "not-queued"
      ) {
        await store.dropHead(key, head);
      }
    }
    return keys.length;
  };
  let repairing: Promise<unknown> = Promise.resolve();
  const repairTimer = setInterval(() => {
    repairing = repair().catch((err) =>
      log.warn({ err: (err as Error).message }, "queue repair sweep failed"),
    );
  }, opts.repairIntervalMs ?? 60_000);
  repairTimer.unref();

  await worker.waitUntilReady();
  await repair().catch((err) => log.warn({ err: (err as Error).message }, "queue repair sweep failed"));

  return {
    worker,
    repair,
    async close(closeOpts = {}) {
      clearInterval(repairTimer);
      await worker.close(closeOpts.force ?? false);
      await repairing;
      await queue.close();
    },
  };
}
