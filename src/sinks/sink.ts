import type { Destination, ServiceConfig, ServiceConfigBase } from "../config/types.ts";
import type { Notification } from "../templates/notification.ts";
import type { ObjectRef } from "../triggers/transition.ts";

/** What a sink needs besides the notification: which job, which destination, which service config. */
export interface Delivery<C extends ServiceConfigBase = ServiceConfig> {
  /** Deterministic job id (transition id + destination): sinks use it for idempotency where the API allows. */
  jobId: string;
  destination: Destination;
  service: C;
  notification: Notification;
  /** Whether the service config came from a namespace's self-service ConfigMap (SSRF guard applies). */
  tenantNamespace?: string;
  /** What the notification is about, for log lines (object namespace/name/uid and trigger). */
  about?: { object: ObjectRef; trigger: string };
}

export interface DeliveryReceipt {
  /** e.g. Slack ts of the posted/updated message, PagerDuty dedup_key. */
  ref?: string;
}

/** Raised by sinks. `transient` failures are retried by the queue; `permanent` ones go to dead letters. */
export class DeliveryError extends Error {
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  readonly code: string;
  constructor(
    message: string,
    opts: { transient: boolean; code: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.name = "DeliveryError";
    this.transient = opts.transient;
    this.code = opts.code;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Delivers to one service type; typed by that type's config (the registry only hands it its own services). */
export interface Sink<C extends ServiceConfigBase = ServiceConfig> {
  readonly type: C["type"];
  deliver(delivery: Delivery<C>): Promise<DeliveryReceipt>;
  close?(): Promise<void>;
}
