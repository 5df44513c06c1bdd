import { describe, expect, it } from "vitest";
import { classifyDeliveryFailure, redactServiceSecrets } from "../../src/queue/delivery-failure.ts";
import { gcraTake } from "../../src/queue/rate-limit.ts";
import { backoffDelayMs, decideAfterFailure, resolveRetryPolicy } from "../../src/queue/retry-policy.ts";
import { DeliveryError } from "../../src/sinks/sink.ts";
import { SERVICES } from "./queue-test-kit.ts";

const policy = resolveRetryPolicy({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 });
const t = { code: "http-503", message: "x", transient: true };

describe("retry policy", () => {
  it("uses full jitter under an exponential cap", () => {
    expect(backoffDelayMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(0);
  });

  it("waits at least Retry-After, stops at maxAttempts, the time budget, and on permanent errors", () => {
    const base = { firstAttemptAt: 0, now: 0, policy, random: () => 0.5 };
    expect(decideAfterFailure({ ...base, failure: { ...t, retryAfterMs: 5000 }, attempts: 1 })).toEqual({
      action: "retry",
      delayMs: 5000,
    });
    expect(decideAfterFailure({ ...base, failure: t, attempts: 5 })).toEqual({
      action: "dead-letter",
      why: "attempts-exhausted",
    });
    expect(decideAfterFailure({ ...base, failure: { ...t, retryAfterMs: 20_000 }, attempts: 1 })).toEqual({
      action: "dead-letter",
      why: "time-exhausted",
    });
    expect(decideAfterFailure({ ...base, failure: { ...t, transient: false }, attempts: 1 })).toEqual({
      action: "dead-letter",
      why: "permanent",
    });
  });

  it("rejects nonsense settings by name", () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: Number.NaN })).toThrow(/baseDelayMs/);
  });
});

describe("failure classification", () => {
  it("keeps DeliveryError's verdict and treats network errors as transient", () => {
    expect(
      classifyDeliveryFailure(
        new DeliveryError("slow down", { transient: true, code: "http-429", retryAfterMs: 3000 }),
      ),
    ).toEqual({ code: "http-429", message: "slow down", transient: true, retryAfterMs: 3000 });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifyDeliveryFailure(reset)).toMatchObject({ code: "network-ECONNRESET", transient: true });
    const undici = Object.assign(new Error("headers timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" });
    expect(classifyDeliveryFailure(undici)).toMatchObject({ transient: true });
  });

  it("never keeps a service's secrets in the message", () => {
    const msg = "auth xoxb-super-secret-token failed; key pd-routing-key-123";
    expect(redactServiceSecrets(msg, SERVICES.slack)).toBe("auth [redacted] failed; key pd-routing-key-123");
    expect(classifyDeliveryFailure(new Error(msg), SERVICES.pagerdutyv2).message).toBe(
      "auth xoxb-super-secret-token failed; key [redacted]",
    );
  });
});

describe("GCRA", () => {
  it("allows a burst, then one per interval", () => {
    const limit = { perSecond: 10, burst: 2 };
    let tat = 0;
    const take = (now: number) => {
      const r = gcraTake(tat, now, limit);
      tat = r.tat;
      return r.waitMs;
    };
    expect([take(1000), take(1000), take(1000)]).toEqual([0, 0, 100]);
    expect(take(1100)).toBe(0);
    expect(take(1100)).toBe(100);
  });
});
