// Delivery hooks that write each attempt and where a notification ended into the delivery history.
import type { DeliveryHooks } from "../queue/notification-queue.ts";
import type { DeliveryHistory } from "./delivery-history.ts";

/** `http_503` → 503. */
function statusCodeOf(code: string): number | undefined {
  const m = /^http_(\d{3})$/.exec(code);
  return m ? Number(m[1]) : undefined;
}

export function historyDeliveryHooks(history: DeliveryHistory, next: DeliveryHooks = {}): DeliveryHooks {
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
      void history.recordAttempt(e.jobId, attempt, "delivered", undefined, {
        service: e.service,
        what: "delivered",
      });
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
      void history.recordAttempt(e.jobId, attempt, "retrying", `${e.failure.code}: ${e.failure.message}`, {
        service: e.service,
        what: "failed",
      });
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
