// Delivery for `replay` without --dry-run: the planned jobs go through a real queue — the durable queue on Redis when a URL
// is given (producer + a delivery worker in this process), else the in-process queue (not durable) — to the
// sinks, and the replay waits until every job is delivered or dead-lettered.
import type { ServiceConfig, ServiceType } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../queue/delivery-worker.ts";
import { createInMemoryQueue } from "../queue/in-memory-queue.ts";
import type { NotificationJob } from "../queue/notification-job.ts";
import type {
  DeadLetter,
  DeliveryHooks,
  NotificationQueue,
  SettledReport,
} from "../queue/notification-queue.ts";
import type { RateLimitFor } from "../queue/rate-limit.ts";
import { RedisNotificationQueue } from "../queue/redis-notification-queue.ts";
import type { RetryPolicy } from "../queue/retry-policy.ts";
import { createRedisConnection } from "../redis/redis-connection.ts";
import type { Sink } from "../sinks/sink.ts";

export const REPLAY_QUEUE_NAME = "rollouts-notifier-replay";

export interface ReplayDeliveryOptions {
  redisUrl?: string;
  queueName?: string;
  sinks: (type: ServiceType) => Sink | undefined;
  resolveService: (name: string, tenantNamespace?: string) => ServiceConfig | undefined;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  rateLimitFor?: RateLimitFor;
  concurrency?: number;
  hooks?: DeliveryHooks;
}

export interface ReplayDeliveryOutcome {
  report: SettledReport;
  deadLetters: DeadLetter[];
  /** Jobs enqueued by this run (ids already known to the queue are settled from before). */
  enqueued: number;
  duplicates: number;
}

export interface ReplayDelivery {
  readonly durable: boolean;
  enqueue(jobs: NotificationJob[]): Promise<void>;
  /** Waits until every enqueued job settled (or the timeout passes: SettleTimeoutError). */
  settle(timeoutMs?: number): Promise<ReplayDeliveryOutcome>;
  close(): Promise<void>;
}

export async function startReplayDelivery(o: ReplayDeliveryOptions): Promise<ReplayDelivery> {
  const deliveryOpts = {
    sinks: o.sinks,
    resolveService: o.resolveService,
    logger: o.logger,
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.rateLimitFor ? { rateLimitFor: o.rateLimitFor } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.hooks ? { hooks: o.hooks } : {}),
  };
  let queue: NotificationQueue & { listDeadLetters(): Promise<DeadLetter[]> };
  let worker: DeliveryWorker | undefined;
  const connections: { quit(): Promise<unknown> }[] = [];
  if (o.redisUrl) {
    const producer = createRedisConnection(o.redisUrl);
    const consumer = createRedisConnection(o.redisUrl);
    producer.on("error", (err) => o.logger.warn({ err: err.message }, "redis connection error"));
    consumer.on("error", (err) => o.logger.warn({ err: err.message }, "redis connection error"));
    connections.push(producer, consumer);
    const queueName = o.queueName ?? REPLAY_QUEUE_NAME;
    queue = new RedisNotificationQueue({
      connection: producer,
      queueName,
      settlePollMs: 25,
    });
    worker = await startDeliveryWorker({ ...deliveryOpts, connection: consumer, queueName });
  } else {
    queue = createInMemoryQueue(deliveryOpts);
  }
  const ids = new Set<string>();
  let enqueued = 0;
  let duplicates = 0;
  return {
    durable: queue.durable,
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      const r = await queue.enqueue(jobs);
      enqueued += r.enqueued.length;
      duplicates += r.duplicates.length;
      for (const j of jobs) ids.add(j.jobId);
    },
    async settle(timeoutMs) {
      const report = await queue.waitUntilSettled([...ids], timeoutMs !== undefined ? { timeoutMs } : {});
      const mine = new Set(report.deadLettered);
      const deadLetters = (await queue.listDeadLetters()).filter((l) => mine.has(l.id));
      return { report, deadLetters, enqueued, duplicates };
    },
    async close() {
      await worker?.close();
      await queue.close();
      for (const c of connections) await c.quit().catch(() => {});
    },
  };
}
