// The queue's contract, shared by the durable Redis queue and the in-process one (demo, replay).
import type { ServiceConfig, ServiceType } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import type { LuaScript } from "../redis/lua-script.ts";
import type { DeliveryReceipt, Sink } from "../sinks/sink.ts";
import type { ObjectRef } from "../triggers/transition.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { RateLimitFor } from "./rate-limit.ts";
import type { RetryPolicy } from "./retry-policy.ts";

export interface EnqueueResult {
  /** Job ids accepted now. */
  enqueued: string[];
  /** Job ids seen before (queued, delivered or dead-lettered): nothing was added. */
  duplicates: string[];
  /**
   * The reply of the `followedBy` call when the queue ran it in the enqueue's own round trip, after the enqueue's
   * writes (Redis on one server or Sentinel); absent when it did not (or it failed): the caller runs it itself.
   */
  followUp?: { reply: unknown };
}

/** A script call to run after an enqueue's writes (the transition log's record and the object's saved state). */
export interface ScriptCall {
  script: LuaScript;
  keys: string[];
  args: (string | number)[];
  /**
   * The same call, told to change nothing unless every one of `keys` exists (the records the enqueue before it
   * writes; the script answers an error then). The enqueue goes by SHA: a server that lacks its script answers
   * NOSCRIPT and would otherwise run the call without the writes it must follow.
   */
  requiring(keys: string[]): ScriptCall;
}

export interface SettledReport {
  delivered: string[];
  deadLettered: string[];
  /** Ids the queue has no record of (never enqueued, or their idempotency record expired). */
  unknown: string[];
}

export class SettleTimeoutError extends Error {
  readonly pending: string[];
  constructor(pending: string[], timeoutMs: number) {
    super(
      `${pending.length} notification(s) not settled within ${timeoutMs} ms: ${pending.slice(0, 5).join(", ")}`,
    );
    this.name = "SettleTimeoutError";
    this.pending = pending;
  }
}

export interface NotificationQueue {
  /** false for the in-process queue: what it holds is lost when the process ends. */
  readonly durable: boolean;
  /** Adds jobs; a job id seen before (also long after delivery) is a no-op. Invalid jobs reject the whole call. */
  enqueue(jobs: NotificationJob[], followedBy?: ScriptCall): Promise<EnqueueResult>;
  /** Resolves when every given job is delivered or dead-lettered. */
  waitUntilSettled(jobIds: string[], opts?: { timeoutMs?: number }): Promise<SettledReport>;
  /** Resolves when everything this instance enqueued has settled. */
  onIdle(): Promise<void>;
  close(): Promise<void>;
}

/** A notification that will not be delivered without an operator: kept until retried or purged. */
export interface DeadLetter {
  id: string;
  job: NotificationJob;
  reason: { code: string; message: string; transient: boolean };
  attempts: number;
  enqueuedAt: number;
  firstAttemptAt?: number;
  deadLetteredAt: number;
}

export interface DeadLetterOps {
  listDeadLetters(): Promise<DeadLetter[]>;
  countDeadLetters(): Promise<number>;
  /** Puts the job back on the queue (behind what is queued for its ordering key). false if no such dead letter. */
  retryDeadLetter(id: string): Promise<boolean>;
  retryAllDeadLetters(): Promise<number>;
  /** Drops every dead letter; their ids stay known, so a re-enqueue is still a no-op. Returns how many. */
  purgeDeadLetters(): Promise<number>;
  /** Drops one dead letter (its id stays known). false if no such dead letter (retried or purged meanwhile). */
  purgeDeadLetter(id: string): Promise<boolean>;
}

export interface DeliveryEvent {
  jobId: string;
  /** The object the notification is about (the AnalysisRun or Rollout), and its Rollout when it has one. */
  object: ObjectRef;
  rollout?: ObjectRef;
  service: string;
  serviceType?: ServiceType;
  recipient: string;
  trigger: string;
  attempt: number;
  /** How long this attempt took (ms), for deliveries and failures of the durable worker. */
  attemptMs?: number;
}

/** The sink's receipt, or why a silence held the notification right before it was sent (then nothing was). */
export type DeliveredReceipt = DeliveryReceipt & { silenced?: string };

/** Metrics/log hooks. Latency is from transition detection to the end of the delivery. */
export interface DeliveryHooks {
  /** Also for a notification a silence held at delivery (`receipt.silenced`): acked, never sent. */
  onDelivered?(e: DeliveryEvent & { latencyMs: number; receipt: DeliveredReceipt }): void;
  onFailed?(e: DeliveryEvent & { failure: DeliveryFailure }): void;
  onRetried?(e: DeliveryEvent & { delayMs: number; failure: DeliveryFailure }): void;
  onDeadLettered?(e: DeliveryEvent & { latencyMs: number; reason: DeadLetter["reason"] }): void;
  /** Not attempted: its namespace's own services use their share of the worker's slots (tenant-slots.ts). */
  onDeferred?(e: { jobId: string; service: string; tenantNamespace: string; delayMs: number }): void;
}

/** Deliveries in flight per queue when DeliveryOptions.concurrency is not given (the CLI's default is its own). */
export const DEFAULT_QUEUE_CONCURRENCY = 8;

/** What a delivering queue needs, Redis or in-process. */
export interface DeliveryOptions {
  sinks: (serviceType: ServiceType) => Sink | undefined;
  /** Resolves the service config (with secrets) at delivery time; undefined = no such service (permanent). */
  resolveService: (serviceName: string, tenantNamespace?: string) => ServiceConfig | undefined;
  concurrency?: number;
  /**
   * Deliveries in flight per worker process to the services of one namespace's own config (default a quarter of
   * `concurrency`; all namespaces together at most half): tenant-slots.ts.
   */
  tenantConcurrency?: number;
  logger: Logger;
  hooks?: DeliveryHooks;
  retry?: Partial<RetryPolicy>;
  /** Per-destination limit; default: Slack 1/s with bursts of 3. Return undefined for no limit. */
  rateLimitFor?: RateLimitFor;
  /**
   * Asked right before a job is handed to its sink: why it is held (it is then acked, never sent), or undefined
   * to send it. The silences (src/silences/delivery-hold.ts).
   */
  holdAtDelivery?: (job: NotificationJob) => Promise<string | undefined>;
}
