// When to try a failed delivery again: exponential backoff with full jitter, at least the server's Retry-After,
// within an attempt limit and a total time budget. Pure; shared by the Redis and the in-memory queue.
import type { DeliveryFailure } from "./delivery-failure.ts";

export interface RetryPolicy {
  /** Attempts in all (the first included). */
  maxAttempts: number;
  /** Backoff cap of the first retry; doubles per attempt. */
  baseDelayMs: number;
  /** Upper bound of the exponential part (Retry-After may exceed it). */
  maxDelayMs: number;
  /** No retry is scheduled past firstAttemptAt + maxTotalMs. */
  maxTotalMs: number;
}

// 15 attempts: with full jitter the retries span about 20 minutes on average (within maxTotalMs). With 8 they
// spanned about one minute, so a 60 s Slack outage dead-lettered the first notification in ~45% of cases.
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 15,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxTotalMs: 60 * 60_000,
};

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isFinite(v) || v < 0)
      throw new Error(`retry policy: ${k} must be a non-negative number, got ${v}`);
  }
  if (p.maxAttempts < 1)
    throw new Error(`retry policy: maxAttempts must be at least 1, got ${p.maxAttempts}`);
  return p;
}

/** Full jitter: uniform in [0, min(maxDelay, base * 2^(attempt-1))]. `attempt` is the attempt that failed (1-based). */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

export type RetryDecision =
  | { action: "retry"; delayMs: number }
  | { action: "dead-letter"; why: "permanent" | "attempts-exhausted" | "time-exhausted" };

export function decideAfterFailure(input: {
  failure: DeliveryFailure;
  /** Attempts made so far, the failed one included. */
  attempts: number;
  firstAttemptAt: number;
  now: number;
  policy: RetryPolicy;
  random?: () => number;
}): RetryDecision {
  const { failure, attempts, policy } = input;
  if (!failure.transient) return { action: "dead-letter", why: "permanent" };
  if (attempts >= policy.maxAttempts) return { action: "dead-letter", why: "attempts-exhausted" };
  const delayMs = Math.max(backoffDelayMs(attempts, policy, input.random), failure.retryAfterMs ?? 0);
  if (input.now + delayMs > input.firstAttemptAt + policy.maxTotalMs) {
    return { action: "dead-letter", why: "time-exhausted" };
  }
  return { action: "retry", delayMs };
}
