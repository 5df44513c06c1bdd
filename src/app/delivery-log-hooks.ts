// Log lines about deliveries: each carries the object (namespace/name/uid), trigger, service and recipient.
// Also feeds the upstream-compatible Argo Rollouts metrics (notification_send_*).
// The lines are built field by field from the event (never an object of unknown shape), so they go through a
// fixed-shape logger (logger.ts: pino's path redaction cannot match them; known secret values are still scrubbed).
import { fixedShapeLogger, type Logger } from "../logger.ts";
import type { DeliveryEvent, DeliveryHooks } from "../queue/notification-queue.ts";
import type { Metrics } from "../server/metrics.ts";
import { RolloutSeries } from "../server/rollout-series.ts";
import type { ObjectRef } from "../triggers/transition.ts";

/** Every field name of the lines below, at every depth. */
const LINE_KEYS = [
  "object",
  "rollout",
  "kind",
  "namespace",
  "name",
  "uid",
  "trigger",
  "service",
  "recipient",
  "jobId",
  "attempt",
  "at",
  "latencyMs",
  "ref",
  "code",
  "error",
  "transient",
  "delayMs",
  "reason",
  "message",
] as const;

type LineKey = (typeof LINE_KEYS)[number];
type Line = { [K in LineKey]?: unknown };

const refOf = (r: ObjectRef): ObjectRef => ({
  kind: r.kind,
  namespace: r.namespace,
  name: r.name,
  uid: r.uid,
});

function fields(e: DeliveryEvent): Line {
  return {
    object: refOf(e.object),
    rollout: e.rollout && refOf(e.rollout),
    trigger: e.trigger,
    service: e.service,
    recipient: e.recipient,
    jobId: e.jobId,
    attempt: e.attempt,
  };
}

export function deliveryLogHooks(
  logger: Logger,
  metrics: Metrics,
  series: RolloutSeries = new RolloutSeries(),
): DeliveryHooks {
  const log = fixedShapeLogger(logger, LINE_KEYS);
  const upstream = (e: DeliveryEvent) => {
    const owner = e.rollout ?? e.object;
    return {
      namespace: owner.namespace,
      name: owner.name,
      type: e.serviceType ?? e.service,
      reason: e.trigger,
    };
  };
  return {
    onDelivered(e) {
      if (e.receipt.silenced !== undefined) {
        const line = fields(e);
        line.at = "delivery";
        log.info(line, `notification silenced: ${e.receipt.silenced}`);
        return;
      }
      const owner = e.rollout ?? e.object;
      const labels = upstream(e);
      metrics.upstreamSuccess.inc(labels);
      series.touch(owner.namespace, owner.name, metrics.upstreamSuccess, labels);
      const sendLabels = { namespace: owner.namespace, name: owner.name };
      metrics.upstreamSend.observe(sendLabels, Math.max(0, e.latencyMs) / 1000);
      series.touch(owner.namespace, owner.name, metrics.upstreamSend, sendLabels);
      const line = fields(e);
      line.latencyMs = Math.round(e.latencyMs);
      line.ref = e.receipt.ref;
      log.info(line, "notification delivered");
    },
    onFailed(e) {
      const labels = upstream(e);
      metrics.upstreamError.inc(labels);
      series.touch(labels.namespace, labels.name, metrics.upstreamError, labels);
      const line = fields(e);
      line.code = e.failure.code;
      line.error = e.failure.message;
      line.transient = e.failure.transient;
      log.warn(line, "delivery failed");
    },
    onRetried(e) {
      const line = fields(e);
      line.delayMs = Math.round(e.delayMs);
      log.info(line, "delivery retry scheduled");
    },
    onDeadLettered(e) {
      const line = fields(e);
      line.reason = { code: e.reason.code, message: e.reason.message, transient: e.reason.transient };
      log.error(line, "notification dead-lettered (see `rollouts-notifier dlq list`)");
    },
  };
}
