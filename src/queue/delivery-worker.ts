// The durable worker: takes BullMQ jobs, delivers the notification they name through a sink, keeping per-key
// order, per-destination rate limits, retries with backoff and dead letters.
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
  type KeepCompleted,
} from "./bullmq-executor.ts";
import {
  callHook,
  deliverOnce,
  deliveryEvent,
  jobLogFields,
  resolveDeliveryTarget,
} from "./delivery-attempt.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter, DeliveryOptions } from "./notification-queue.ts";
import { defaultRateLimitFor } from "./rate-limit.ts";
import { DEFAULT_QUEUE_NAME, type JobRecord, RedisQueueStore } from "./redis-queue-store.ts";
import { decideAfterFailure, resolveRetryPolicy } from "./retry-policy.ts";

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
  const policy = resolveRetryPolicy(opts.retry);
  const rateLimitFor = opts.rateLimitFor ?? defaultRateLimitFor;
  const keep = opts.keepCompleted ?? DEFAULT_KEEP_COMPLETED;
  const headWaitMs = opts.headWaitMs ?? 5_000;
  const log = opts.logger.child({ component: "delivery-worker" });
  const hooks = opts.hooks ?? {};

  const deadLetter = async (
    job: NotificationJob,
    rec: Pick<JobRecord, "enqueuedAt" | "firstAttemptAt">,
    attempts: number,
    failure: DeliveryFailure,
    service?: Parameters<typeof deliveryEvent>[2],
  ): Promise<void> => {
    const letter: DeadLetter = {
      id: job.jobId,
      job,
      reason: { code: failure.code, message: failure.message, transient: failure.transient },
      attempts,
      enqueuedAt: rec.enqueuedAt,
      deadLetteredAt: Date.now(),
    };
    if (rec.firstAttemptAt !== undefined) letter.firstAttemptAt = rec.firstAttemptAt;
    const { changed, next } = await store.markDead(letter);
    if (!changed) return;
    // the delivery hooks log the dead letter for operators; this is the worker's own trace
    log.debug(
      { ...jobLogFields(job), code: failure.code, attempts, reason: failure.message },
      "notification dead-lettered",
    );
    callHook(hooks.onDeadLettered, {
      ...deliveryEvent(job, attempts, service),
      latencyMs: Date.now() - job.transition.detectedAt,
      reason: letter.reason,
    });
    if (next) await kickNext(next);
  };

  const deadLetterFailedExecutor = async (jobId: string, reason: string): Promise<void> => {
    const rec = await store.getRecord(jobId);
    if (!rec?.job || rec.state !== "queued") return;
    await deadLetter(rec.job, rec, rec.attempts, { code: "worker-error", message: reason, transient: true });
  };

  const kickNext = async (jobId: string): Promise<void> => {
    try {
      await ensureRunnable(store, queue, jobId, {
        promote: true,
        keep,
        onFailedExecutor: deadLetterFailedExecutor,
      });
    } catch (err) {
      // the job still runs after headWaitMs, or the repair sweep adds it
      log.debug({ jobId, err: (err as Error).message }, "could not promote next job");
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

  /** The job must wait when another queued job of its key is ahead of it. Repairs a dead head on the way. */
  const mustWaitForHead = async (job: NotificationJob): Promise<boolean> => {
    for (let i = 0; i < 100; i++) {
      const head = await store.head(job.orderingKey);
      if (head === undefined || head === job.jobId) return false;
      // Not in the list at all (should not happen): do not block forever on a list it is not part of.
      if (!(await store.isInOrder(job.orderingKey, job.jobId))) return false;
      const headRec = await store.getRecord(head);
      if (headRec && headRec.state === "queued") {
        await ensureRunnable(store, queue, head, {
          promote: false,
          keep,
          onFailedExecutor: deadLetterFailedExecutor,
        });
        return true;
      }
      await store.dropHead(job.orderingKey, head);
    }
    return true;
  };

  const processJob = async (bullJob: Job<ExecutorJobData>, token?: string): Promise<ExecutorResult> => {
    const jobId = bullJob.data.jobId;
    const orderingKey = bullJob.data.orderingKey ?? (await store.orderingKeyOf(jobId)) ?? "";
    // One round trip: the record, and whether it heads its key.
    const claimed = await store.claim(jobId, bullJob.id ?? jobId, orderingKey);
    if (claimed.outcome === "skip") {
      return { outcome: "skipped", why: claimed.why === "superseded" ? "superseded executor" : claimed.why };
    }
    const rec = claimed.record;
    const job = rec.job;

    if (claimed.outcome === "behind" && (await mustWaitForHead(job))) {
      await bullJob.moveToDelayed(Date.now() + headWaitMs, token);
      // The head may have settled meanwhile and found this job still active (nothing to promote then): look
      // again now that it is delayed. Either that settle's promotion or this check wakes it without a wait.
      if ((await store.head(job.orderingKey)) === jobId) await bullJob.promote().catch(() => {});
      throw new DelayedError();
    }

    const target = resolveDeliveryTarget(job, opts);
    if ("failure" in target) {
      await deadLetter(job, rec, rec.attempts, target.failure);
      return { outcome: "dead-lettered" };
    }
    // One round trip: the destination's rate-limit slot (when limited) and the attempt count.
    const started = await store.startAttemptLimited(
      job,
      rateLimitFor(target.service, job.destination),
      Date.now(),
    );
    if ("waitMs" in started) return delay(bullJob, token, started.waitMs);
    const { attempt, firstAttemptAt } = started;
    const event = deliveryEvent(job, attempt, target.service);
    if (attempt > policy.maxAttempts) {
      // Earlier attempts never finished (the worker died mid-delivery each time).
      await deadLetter(
        job,
        { ...rec, firstAttemptAt },
        attempt - 1,
        {
          code: "attempts-exhausted",
          message: "delivery never finished (worker lost mid-delivery)",
          transient: true,
        },
        target.service,
      );
      return { outcome: "dead-lettered" };
    }

    const attemptStart = performance.now();
    const result = await deliverOnce(job, target);
    event.attemptMs = performance.now() - attemptStart;
    if (result.ok) {
      await store.markDelivered(job, Date.now(), result.receipt.ref ?? "").then(async ({ changed, next }) => {
        if (changed) {
          log.debug({ ...jobLogFields(job), attempt }, "notification delivered");
          callHook(hooks.onDelivered, {
            ...event,
            latencyMs: Date.now() - job.transition.detectedAt,
            receipt: result.receipt,
          });
        }
        if (next) await kickNext(next);
      });
      return { outcome: "delivered" };
    }

    const failure = result.failure;
    callHook(hooks.onFailed, { ...event, failure });
    const decision = decideAfterFailure({
      failure,
      attempts: attempt,
      firstAttemptAt,
      now: Date.now(),
      policy,
    });
    if (decision.action === "retry") {
      await store.recordError(jobId, failure.code, failure.message);
      log.debug(
        { ...jobLogFields(job), code: failure.code, attempt, delayMs: decision.delayMs },
        "delivery failed, retrying",
      );
      callHook(hooks.onRetried, { ...event, delayMs: decision.delayMs, failure });
      return delay(bullJob, token, decision.delayMs);
    }
    await deadLetter(job, { ...rec, firstAttemptAt }, attempt, failure, target.service);
    return { outcome: "dead-lettered" };
  };

  const worker = new Worker<ExecutorJobData, ExecutorResult>(queueName, processJob, {
    connection: opts.connection,
    prefix: bullPrefix(opts.connection),
    concurrency: opts.concurrency ?? 8,
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
      const rec = await store.getRecord(head);
      if (rec?.state !== "queued") {
        await store.dropHead(key, head);
        continue;
      }
      await ensureRunnable(store, queue, head, {
        promote: false,
        keep,
        onFailedExecutor: deadLetterFailedExecutor,
      });
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
