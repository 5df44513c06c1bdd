// One delivery attempt, the same for both queues: resolve the service and its sink by name, call the sink,
// classify what it threw.
import type { Destination, ServiceConfig } from "../config/types.ts";
import type { Sink } from "../sinks/sink.ts";
import { classifyDeliveryFailure, type DeliveryFailure } from "./delivery-failure.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeliveredReceipt, DeliveryEvent, DeliveryOptions } from "./notification-queue.ts";

type SendTarget = { service: ServiceConfig; sink: Sink; holdAtDelivery?: DeliveryOptions["holdAtDelivery"] };
export type DeliveryTarget = SendTarget | { failure: DeliveryFailure };

/** A missing service or sink is permanent: retrying cannot make it appear (config reloads re-render anyway). */
export function resolveDeliveryTarget(
  job: NotificationJob,
  opts: Pick<DeliveryOptions, "sinks" | "resolveService" | "holdAtDelivery">,
): DeliveryTarget {
  return renderFailure(job) ?? resolveDestinationTarget(job.destination, job.tenantNamespace, opts);
}

/** Rendering failed for good (render budget): dead-lettered at once with the reason, never retried. */
export function renderFailure(job: NotificationJob): { failure: DeliveryFailure } | undefined {
  const failed = job.notification.renderFailure;
  return failed && { failure: { code: failed.code, message: failed.message, transient: false } };
}

/** The service and sink of a destination (what a job's ticket names, before its record is read). */
export function resolveDestinationTarget(
  destination: Destination,
  tenantNamespace: string | undefined,
  opts: Pick<DeliveryOptions, "sinks" | "resolveService" | "holdAtDelivery">,
): DeliveryTarget {
  const name = destination.service;
  let service: ServiceConfig | undefined;
  try {
    service = opts.resolveService(name, tenantNamespace);
  } catch (err) {
    return { failure: { ...classifyDeliveryFailure(err), code: "service-resolve-error" } };
  }
  if (!service) {
    const scope = tenantNamespace ? ` in namespace ${tenantNamespace}` : "";
    return {
      failure: {
        code: "service-not-found",
        message: `service "${name}"${scope} is not configured`,
        transient: false,
      },
    };
  }
  const sink = opts.sinks(service.type);
  if (!sink) {
    return {
      failure: { code: "no-sink", message: `no sink for service type "${service.type}"`, transient: false },
    };
  }
  return opts.holdAtDelivery ? { service, sink, holdAtDelivery: opts.holdAtDelivery } : { service, sink };
}

/** The one place a job is handed to its sink (both queues): a silence may still hold it right before. */
export async function deliverOnce(
  job: NotificationJob,
  target: SendTarget,
): Promise<{ ok: true; receipt: DeliveredReceipt } | { ok: false; failure: DeliveryFailure }> {
  try {
    const silenced = await target.holdAtDelivery?.(job);
    if (silenced !== undefined) return { ok: true, receipt: { silenced } };
    const delivery: Parameters<Sink["deliver"]>[0] = {
      jobId: job.jobId,
      destination: job.destination,
      service: target.service,
      notification: job.notification,
      about: { object: job.transition.object, trigger: job.transition.trigger },
    };
    if (job.tenantNamespace !== undefined) delivery.tenantNamespace = job.tenantNamespace;
    const receipt = await target.sink.deliver(delivery);
    return { ok: true, receipt: receipt ?? {} };
  } catch (err) {
    return { ok: false, failure: classifyDeliveryFailure(err, target.service) };
  }
}

export function deliveryEvent(job: NotificationJob, attempt: number, service?: ServiceConfig): DeliveryEvent {
  const e: DeliveryEvent = {
    jobId: job.jobId,
    object: job.transition.object,
    service: job.destination.service,
    recipient: job.destination.recipient,
    trigger: job.transition.trigger,
    attempt,
  };
  if (job.transition.rollout) e.rollout = job.transition.rollout;
  if (service) e.serviceType = service.type;
  return e;
}

/** The fields every log line about a notification carries. */
export function jobLogFields(job: NotificationJob) {
  return {
    jobId: job.jobId,
    object: job.transition.object,
    trigger: job.transition.trigger,
    service: job.destination.service,
    recipient: job.destination.recipient,
  };
}

/** Calls a hook without letting it break delivery. */
export function callHook<A>(fn: ((a: A) => void) | undefined, arg: A): void {
  if (!fn) return;
  try {
    fn(arg);
  } catch {
    // hooks are metrics/logging only
  }
}
