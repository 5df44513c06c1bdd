// Shared by the queue tests: jobs, services and a scripted fake sink that records what it was asked to send.
import type { Destination, ServiceConfig, ServiceType } from "../../src/config/types.ts";
import { createLogger } from "../../src/logger.ts";
import { buildNotificationJob, type NotificationJob } from "../../src/queue/notification-job.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../../src/sinks/sink.ts";

export const silentLogger = createLogger({ level: "silent" });

export const SERVICES: Record<string, ServiceConfig> = {
  slack: { type: "slack", name: "slack", token: "xoxb-super-secret-token" },
  hook: { type: "webhook", name: "hook", url: "https://hooks.example.com/T000/B000/secretpath" },
  pagerdutyv2: { type: "pagerdutyv2", name: "pagerdutyv2", serviceKeys: { ops: "pd-routing-key-123" } },
};

export const resolveService = (name: string): ServiceConfig | undefined => SERVICES[name];

let seq = 0;
/** A job for rollout `rollout` (uid) → destination; `trigger` and `n` make the transition id. */
export function makeJob(opts: {
  rollout?: string;
  trigger?: string;
  n?: number;
  destination?: Destination;
  detectedAt?: number;
  /** The job's service comes from this namespace's own config. */
  tenantNamespace?: string;
}): NotificationJob {
  const rollout = opts.rollout ?? "uid-1";
  const trigger = opts.trigger ?? "on-rollout-updated";
  const n = opts.n ?? ++seq;
  const ref = { kind: "Rollout", namespace: "shop", name: `app-${rollout}`, uid: rollout };
  return buildNotificationJob({
    transition: {
      id: `${rollout}:${trigger}:rev1:${n}`,
      trigger,
      object: ref,
      rollout: ref,
      revision: "1",
      snapshot: { metadata: { name: ref.name, namespace: "shop", uid: rollout } },
    },
    destination: opts.destination ?? { service: "hook", recipient: "" },
    notification: { message: `${trigger} #${n}`, webhook: { method: "POST", path: "", body: `{"n":${n}}` } },
    detectedAt: opts.detectedAt ?? Date.now(),
    ...(opts.tenantNamespace !== undefined ? { tenantNamespace: opts.tenantNamespace } : {}),
  });
}

export interface RecordedDelivery {
  jobId: string;
  message: string;
  recipient: string;
  at: number;
  ok: boolean;
  worker: string;
}

/**
 * A sink whose behaviour per call is scripted: `plan(jobId, attemptNo)` returns undefined (success), an Error to
 * throw, or a promise to wait on first. Every call is recorded with its timestamp.
 */
export class FakeSink implements Sink {
  readonly type: ServiceType;
  readonly calls: RecordedDelivery[] = [];
  readonly attemptsByJob = new Map<string, number>();
  plan: (jobId: string, attempt: number) => Error | Promise<unknown> | undefined = () => undefined;
  private readonly worker: string;
  constructor(type: ServiceType = "webhook", worker = "w") {
    this.type = type;
    this.worker = worker;
  }
  async deliver(d: Delivery): Promise<DeliveryReceipt> {
    const attempt = (this.attemptsByJob.get(d.jobId) ?? 0) + 1;
    this.attemptsByJob.set(d.jobId, attempt);
    const at = Date.now();
    let outcome = this.plan(d.jobId, attempt);
    if (outcome instanceof Promise) {
      await outcome;
      outcome = undefined;
    }
    const rec = {
      jobId: d.jobId,
      message: d.notification.message,
      recipient: d.destination.recipient,
      at,
      ok: !outcome,
      worker: this.worker,
    };
    this.calls.push(rec);
    if (outcome) throw outcome;
    return { ref: `ref-${d.jobId}` };
  }
  delivered(): RecordedDelivery[] {
    return this.calls.filter((c) => c.ok);
  }
}

export const transient = (code = "http-503", retryAfterMs?: number) =>
  new DeliveryError(
    "service unavailable",
    retryAfterMs === undefined ? { transient: true, code } : { transient: true, code, retryAfterMs },
  );
export const permanent = (code = "http-400", message = "invalid_payload") =>
  new DeliveryError(message, { transient: false, code });

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** Fast test retry policy: tiny backoffs. */
export const FAST_RETRY = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 100, maxTotalMs: 30_000 };
