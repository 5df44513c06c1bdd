// The BullMQ side of the durable queue: one BullMQ job per notification, carrying only the notification's
// job id. It wakes a worker, gives retries/delays a home and recovers stalled deliveries; the notification
// itself, its order and its fate live in our own records (redis-queue-store.ts).
import type { JobsOptions, Queue } from "bullmq";
import type { RedisQueueStore } from "./redis-queue-store.ts";

export const BULL_JOB_NAME = "deliver";

export interface ExecutorJobData {
  jobId: string;
  /** The notification's ordering key (a hint that saves the worker a read; jobs added before it lack it). */
  orderingKey?: string;
}

export interface KeepCompleted {
  /** Seconds a completed BullMQ job record is kept. */
  age: number;
  /** At most this many completed records are kept. */
  count: number;
}

export const DEFAULT_KEEP_COMPLETED: KeepCompleted = { age: 3600, count: 1000 };

/** Attempts/backoff for infrastructure errors only (Redis hiccups inside the processor); delivery retries are ours. */
export function executorJobOptions(
  bullId: string,
  keep: KeepCompleted = DEFAULT_KEEP_COMPLETED,
): JobsOptions {
  return {
    jobId: bullId,
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: keep.age, count: keep.count },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** A new BullMQ id for a job that needs a fresh executor (dead letter retried, executor lost). */
export function freshBullId(jobId: string, now: number): string {
  return `${jobId}~${now.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

/**
 * Makes sure a queued notification has a BullMQ job that will run it soon: adds one when missing, promotes a
 * delayed one. Used when a job becomes the head of its ordering key and by the repair sweep.
 * Returns what it did (for logs/tests).
 */
export async function ensureRunnable(
  store: RedisQueueStore,
  queue: Queue,
  jobId: string,
  opts: {
    promote: boolean;
    keep?: KeepCompleted;
    onFailedExecutor?: (jobId: string, reason: string) => Promise<void>;
  },
): Promise<"not-queued" | "added" | "promoted" | "present"> {
  const rec = await store.getRecord(jobId);
  if (rec?.state !== "queued") return "not-queued";
  const state = await queue.getJobState(rec.bullId);
  if (state === "unknown" || state === "completed") {
    // Lost (producer crashed between record and add) or finished without settling the record: run it again.
    const bullId = state === "unknown" ? rec.bullId : freshBullId(jobId, Date.now());
    if (bullId !== rec.bullId) await store.setBullId(jobId, bullId);
    await queue.add(
      BULL_JOB_NAME,
      { jobId, orderingKey: rec.orderingKey } satisfies ExecutorJobData,
      executorJobOptions(bullId, opts.keep),
    );
    return "added";
  }
  if (state === "failed") {
    const job = await queue.getJob(rec.bullId);
    await opts.onFailedExecutor?.(jobId, job?.failedReason ?? "worker failed");
    return "present";
  }
  if (state === "delayed" && opts.promote) {
    try {
      const job = await queue.getJob(rec.bullId);
      await job?.promote();
      return "promoted";
    } catch {
      // it left the delayed set meanwhile: it runs anyway
    }
  }
  return "present";
}
