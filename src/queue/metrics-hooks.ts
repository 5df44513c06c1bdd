// Delivery hooks that feed the Prometheus metrics of src/server/metrics.ts (labels: service names and the
// closed set of failure reasons of failure-reason.ts, never a remote's text).
import type { Metrics } from "../server/metrics.ts";
import { failureReason } from "./failure-reason.ts";
import type { DeliveryHooks } from "./notification-queue.ts";

export function metricsDeliveryHooks(m: Metrics, next: DeliveryHooks = {}): DeliveryHooks {
  // one label object per service, made once (prom-client only reads it): none allocated per delivery
  const byService = new Map<string, { service: string }>();
  const labels = (service: string) => {
    let l = byService.get(service);
    if (!l) {
      if (byService.size >= 10_000) byService.clear();
      l = { service };
      byService.set(service, l);
    }
    return l;
  };
  return {
    onDelivered(e) {
      if (e.receipt.silenced !== undefined) {
        // held by a silence at delivery (src/silences/delivery-hold.ts): counted as at planning
        m.silenced.inc(labels(e.service));
        next.onDelivered?.(e);
        return;
      }
      m.delivered.inc(labels(e.service));
      m.latency.observe(labels(e.service), Math.max(0, e.latencyMs) / 1000);
      next.onDelivered?.(e);
    },
    onFailed(e) {
      m.failed.inc({ service: e.service, reason: failureReason(e.failure) });
      next.onFailed?.(e);
    },
    onRetried(e) {
      m.retried.inc(labels(e.service));
      next.onRetried?.(e);
    },
    onDeferred(e) {
      m.deferred.inc({ namespace: e.tenantNamespace });
      next.onDeferred?.(e);
    },
    onDeadLettered(e) {
      m.deadLettered.inc(labels(e.service));
      m.deadLetters.inc();
      next.onDeadLettered?.(e);
    },
  };
}
