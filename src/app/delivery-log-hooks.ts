// Log lines about deliveries: each carries the object (namespace/name/uid), trigger, service and recipient.
// Also feeds the upstream-compatible Argo Rollouts metrics (notification_send_*).
import type { Logger } from "../logger.ts";
import type { DeliveryEvent, DeliveryHooks } from "../queue/notification-queue.ts";
import type { Metrics } from "../server/metrics.ts";

function fields(e: DeliveryEvent) {
  return {
    object: e.object,
    rollout: e.rollout,
    trigger: e.trigger,
    service: e.service,
    recipient: e.recipient,
    jobId: e.jobId,
    attempt: e.attempt,
  };
}

function upstreamLabels(e: DeliveryEvent) {
  const owner = e.rollout ?? e.object;
  return {
    namespace: owner.namespace,
    name: owner.name,
    type: e.serviceType ?? e.service,
    reason: e.trigger,
  };
}

export function deliveryLogHooks(logger: Logger, metrics: Metrics): DeliveryHooks {
  return {
    onDelivered(e) {
      if (e.receipt.silenced !== undefined) {
        logger.info({ ...fields(e), at: "delivery" }, `notification silenced: ${e.receipt.silenced}`);
        return;
      }
      metrics.upstreamSuccess.inc(upstreamLabels(e));
      const owner = e.rollout ?? e.object;
      metrics.upstreamSend.observe(
        { namespace: owner.namespace, name: owner.name },
        Math.max(0, e.latencyMs) / 1000,
      );
      logger.info(
        { ...fields(e), latencyMs: Math.round(e.latencyMs), ref: e.receipt.ref },
        "notification delivered",
      );
    },
    onFailed(e) {
      metrics.upstreamError.inc(upstreamLabels(e));
      logger.warn(
        { ...fields(e), code: e.failure.code, error: e.failure.message, transient: e.failure.transient },
        "delivery failed",
      );
    },
    onRetried(e) {
      logger.info({ ...fields(e), delayMs: Math.round(e.delayMs) }, "delivery retry scheduled");
    },
    onDeadLettered(e) {
      logger.error(
        { ...fields(e), reason: e.reason },
        "notification dead-lettered (see `rollouts-notifier dlq list`)",
      );
    },
  };
}
