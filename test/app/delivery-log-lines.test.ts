// The delivery hooks' log lines skip pino's path redaction (logger.ts fixedShapeLogger): they carry known fields
// only, whatever the event holds besides, and secret values are still scrubbed from each finished line. A
// fixed-shape logger whose fields a redaction path names is the redacting logger itself.
import { describe, expect, it } from "vitest";
import { deliveryLogHooks } from "../../src/app/delivery-log-hooks.ts";
import { fixedShapeLogger } from "../../src/logger.ts";
import { processRedactor } from "../../src/redaction/secret-redactor.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { RolloutSeries } from "../../src/server/rollout-series.ts";
import { captureLogs } from "../support/log-capture.ts";

const capture = captureLogs;

const SECRET = "s3cr3t-value-in-a-message-4711";

describe("delivery log lines", () => {
  it("carry the event's known fields only, and no known secret value", () => {
    processRedactor.addValues("delivery-log-lines-test", [SECRET]);
    try {
      const { logger, lines } = capture();
      const hooks = deliveryLogHooks(logger, createMetrics());
      const object = {
        kind: "Rollout",
        namespace: "shop",
        name: "checkout",
        uid: "u1",
        token: "object-token",
      };
      const event = {
        jobId: "j1",
        object,
        service: "hook",
        recipient: "",
        trigger: "on-rollout-completed",
        attempt: 2,
        password: "event-password",
      };
      hooks.onDelivered?.({ ...event, latencyMs: 12.4, receipt: { ref: "r1" } });
      hooks.onFailed?.({
        ...event,
        failure: { code: "http_500", message: `boom ${SECRET}`, transient: true },
      });
      hooks.onDeadLettered?.({
        ...event,
        latencyMs: 1,
        reason: Object.assign(
          { code: "http_400", message: "bad", transient: false },
          { secret: "reason-secret" },
        ),
      });
      const parsed = lines.map((l) => JSON.parse(l));
      expect(parsed[0]).toMatchObject({
        msg: "notification delivered",
        object: { kind: "Rollout", namespace: "shop", name: "checkout", uid: "u1" },
        trigger: "on-rollout-completed",
        service: "hook",
        recipient: "",
        jobId: "j1",
        attempt: 2,
        latencyMs: 12,
        ref: "r1",
      });
      expect(parsed[1]).toMatchObject({ msg: "delivery failed", code: "http_500", transient: true });
      expect(parsed[2].reason).toEqual({ code: "http_400", message: "bad", transient: false });
      const text = lines.join("");
      for (const leaked of ["object-token", "event-password", "reason-secret", SECRET]) {
        expect(text).not.toContain(leaked);
      }
      expect(text).toContain("boom [redacted]");
    } finally {
      processRedactor.removeScope("delivery-log-lines-test");
    }
  });

  it("a fixed-shape logger whose fields a redaction path names redacts like any", () => {
    const { logger, lines } = capture();
    const log = fixedShapeLogger(logger, ["service", "token"]);
    expect(log).toBe(logger);
    log.info({ service: "s", token: "abc" }, "x");
    expect(JSON.parse(lines[0]!).token).toBe("[redacted]");
    expect(fixedShapeLogger(logger, ["service"])).not.toBe(logger);
  });
});

describe("the upstream metrics' per-Rollout series", () => {
  it("are kept for the Rollouts notified most recently; the least recent one's are removed and start again from 0", async () => {
    const { logger } = capture();
    const metrics = createMetrics();
    const hooks = deliveryLogHooks(logger, metrics, new RolloutSeries(2));
    const event = (name: string, trigger = "on-rollout-completed") => ({
      jobId: `j-${name}`,
      object: { kind: "Rollout", namespace: "shop", name, uid: `u-${name}` },
      service: "hook",
      serviceType: "webhook" as const,
      recipient: "",
      trigger,
      attempt: 1,
    });
    const delivered = (name: string, trigger?: string) =>
      hooks.onDelivered?.({ ...event(name, trigger), latencyMs: 5, receipt: {} });
    const failed = (name: string) =>
      hooks.onFailed?.({ ...event(name), failure: { code: "http_500", message: "x", transient: true } });
    const names = async () => {
      const text = await metrics.registry.metrics();
      const of = (metric: string) =>
        [...text.matchAll(new RegExp(`^${metric}\\{[^}]*name="([^"]+)"[^}]*\\} (\\d+)`, "gm"))].map(
          (m) => `${m[1]}=${m[2]}`,
        );
      return {
        success: of("notification_send_success"),
        error: of("notification_send_error"),
        send: of("notification_send_count"),
      };
    };

    delivered("a");
    delivered("a", "on-rollout-aborted");
    failed("a");
    delivered("b");
    expect(await names()).toEqual({ success: ["a=1", "a=1", "b=1"], error: ["a=1"], send: ["a=2", "b=1"] });
    // a third Rollout: the least recently notified (a) loses every series it had, in all three metrics
    delivered("c");
    expect(await names()).toEqual({ success: ["b=1", "c=1"], error: [], send: ["b=1", "c=1"] });
    // b was notified again, so c is now the least recent; a comes back from 0
    delivered("b");
    delivered("a");
    expect(await names()).toEqual({ success: ["b=2", "a=1"], error: [], send: ["b=2", "a=1"] });
  });
});
