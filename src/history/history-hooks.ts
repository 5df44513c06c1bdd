// Delivery hooks that write each attempt and where a notification ended into the delivery history.
import type { DeliveryHooks } from "../queue/notification-queue.ts";
import type { DeliveryHistory } from "./delivery-history.ts";

/** `http_503` → 503. */
function statusCodeOf(code: string): number | undefined {
  const m = /^http_(\d{3})$/.exec(code);
  return m ? Number(m[1]) : undefined;
}

type Count = { service: string; what: "delivered" | "failed" };

export function historyDeliveryHooks(history: DeliveryHistory, next: DeliveryHooks = {}): DeliveryHooks {
  // the overview's count of each service, made once (the history only reads it): none allocated per delivery
  const counts = new Map<string, { delivered: Count; failed: Count }>();
  const countOf = (service: string) => {
    let c = counts.get(service);
    if (!c) {
      if (counts.size >= 10_000) counts.clear();
      c = { delivered: { service, what: "delivered" }, failed: { service, what: "failed" } };
      counts.set(service, c);
    }
    return c;
  };
  return {
    onDelivered(e) {
      if (e.receipt.silenced !== undefined) {
        // held by a silence right before it was sent: no attempt was made
        void history.setOutcome(e.jobId, "silenced", e.receipt.silenced);
        next.onDelivered?.(e);
        return;
      }
      const attempt: Parameters<DeliveryHistory["recordAttempt"]>[1] = {
        at: Date.now(),
        attempt: e.attempt,
        outcome: "delivered",
      };
      if (e.attemptMs !== undefined) attempt.latencyMs = Math.round(e.attemptMs);
      if (e.receipt.ref) attempt.answer = `ok (ref ${e.receipt.ref})`;
      void history.recordAttempt(e.jobId, attempt, "delivered", undefined, countOf(e.service).delivered);
      next.onDelivered?.(e);
    },
    onFailed(e) {
      const attempt: Parameters<DeliveryHistory["recordAttempt"]>[1] = {
        at: Date.now(),
        attempt: e.attempt,
        outcome: "failed",
        code: e.failure.code,
        answer: e.failure.message,
      };
      const status = statusCodeOf(e.failure.code);
      if (status !== undefined) attempt.statusCode = status;
      if (e.attemptMs !== undefined) attempt.latencyMs = Math.round(e.attemptMs);
      void history.recordAttempt(
        e.jobId,
        attempt,
        "retrying",
        `${e.failure.code}: ${e.failure.message}`,
        countOf(e.service).failed,
      );
      next.onFailed?.(e);
    },
    onRetried(e) {
      next.onRetried?.(e);
    },
    onDeadLettered(e) {
      void history.setOutcome(e.jobId, "dead-letter", `${e.reason.code}: ${e.reason.message}`);
      next.onDeadLettered?.(e);
    },
  };
}
