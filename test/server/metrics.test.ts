// /metrics of a real `rollouts-notifier run` after a canary rollout (create → update → abort → retry → promote)
// delivered to Slack, two webhooks and PagerDuty, with one Slack service whose token Slack refuses
// (invalid_auth → dead letters): every metric of src/server/metrics.ts is exposed, with the right labels and
// counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/server/metrics.ts";
import type { NotifierProcess } from "../support/notifier-process.ts";
import {
  httpGet,
  type NotifierWorld,
  parseMetrics,
  playCanary,
  type Sample,
  sampleValue,
  startRun,
  startWorld,
  stopProcess,
  waitFor,
  writeServiceConfig,
} from "./notifier-under-test.ts";

// What the canary history fires, per trigger (see examples/histories/README.md).
const TRANSITIONS = {
  "on-rollout-updated": 2,
  "on-rollout-step-completed": 3,
  "on-rollout-paused": 2,
  "on-rollout-aborted": 1,
  "on-rollout-resumed": 1,
  "on-rollout-completed": 2,
};
// Subscribed: updated (2) + completed (2) + aborted (1) for every service.
const PER_SERVICE = 5;
const DELIVERING = ["slack", "basic-hook", "bearer-hook", "pagerdutyv2"];

describe("/metrics of rollouts-notifier run", () => {
  let w: NotifierWorld;
  let proc: NotifierProcess;
  let baseUrl: string;
  let samples: Sample[];
  let text: string;
  const rollout = "canary-demo-m1";

  beforeAll(async () => {
    w = await startWorld();
    writeServiceConfig(w);
    ({ proc, baseUrl } = await startRun(w));
    await proc.waitForLog((l) => l.msg === "informers synced");
    playCanary(w, "m1");
    // wait for everything to settle: every delivery done, every refused one dead-lettered, gauges refreshed
    text = await waitFor(
      "every delivery and dead letter to show in /metrics",
      async () => {
        const body = (await httpGet(`${baseUrl}/metrics`)).body;
        const s = parseMetrics(body);
        const done =
          DELIVERING.every(
            (service) =>
              sampleValue(s, "rollouts_notifier_notifications_delivered_total", { service }) === PER_SERVICE,
          ) &&
          sampleValue(s, "rollouts_notifier_notifications_dead_lettered_total", { service: "revoked" }) ===
            PER_SERVICE &&
          sampleValue(s, "rollouts_notifier_dead_letters") === PER_SERVICE &&
          sampleValue(s, "rollouts_notifier_queue_depth") === 0;
        return done ? body : undefined;
      },
      40_000,
    );
    samples = parseMetrics(text);
  }, 90_000);

  afterAll(async () => {
    await stopProcess(proc);
    await w?.stop();
  });

  it("exposes every metric the service defines, with HELP and TYPE", () => {
    const names = createMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      expect(text, name).toContain(`# HELP ${name} `);
      expect(text, name).toContain(`# TYPE ${name} `);
    }
  });

  it("counts transitions by trigger, exactly once each", () => {
    for (const [trigger, n] of Object.entries(TRANSITIONS)) {
      expect(sampleValue(samples, "rollouts_notifier_transitions_total", { trigger }), trigger).toBe(n);
    }
  });

  it("counts enqueued and delivered notifications by service, and delivery latency per service", () => {
    for (const service of [...DELIVERING, "revoked"]) {
      expect(
        sampleValue(samples, "rollouts_notifier_notifications_enqueued_total", { service }),
        service,
      ).toBe(PER_SERVICE);
    }
    for (const service of DELIVERING) {
      expect(
        sampleValue(samples, "rollouts_notifier_delivery_latency_seconds_count", { service }),
        service,
      ).toBe(PER_SERVICE);
      expect(
        sampleValue(samples, "rollouts_notifier_delivery_latency_seconds_bucket", { service, le: "+Inf" }),
      ).toBe(PER_SERVICE);
      expect(
        sampleValue(samples, "rollouts_notifier_delivery_latency_seconds_sum", { service }),
      ).toBeGreaterThan(0);
    }
    expect(
      sampleValue(samples, "rollouts_notifier_notifications_delivered_total", { service: "revoked" }),
    ).toBe(undefined);
    expect(sampleValue(samples, "rollouts_notifier_queue_depth")).toBe(0);
  });

  it("counts a refused delivery as failed (with the reason) and dead-lettered, and the dead-letter gauge", () => {
    expect(
      sampleValue(samples, "rollouts_notifier_notifications_failed_total", {
        service: "revoked",
        reason: "auth",
      }),
    ).toBe(PER_SERVICE);
    expect(
      sampleValue(samples, "rollouts_notifier_notifications_dead_lettered_total", { service: "revoked" }),
    ).toBe(PER_SERVICE);
    // permanent errors are not retried
    expect(
      sampleValue(samples, "rollouts_notifier_notifications_retried_total", { service: "revoked" }),
    ).toBe(undefined);
    expect(sampleValue(samples, "rollouts_notifier_dead_letters")).toBe(PER_SERVICE);
  });

  it("reports the leader and synced informers", () => {
    expect(sampleValue(samples, "rollouts_notifier_leader")).toBe(1);
    expect(sampleValue(samples, "rollouts_notifier_informers_synced")).toBe(1);
  });

  it("exposes the Argo Rollouts metric names with their labels (namespace, name, type, reason)", () => {
    const owner = { namespace: "demo", name: rollout };
    expect(
      sampleValue(samples, "notification_send_success", {
        ...owner,
        type: "slack",
        reason: "on-rollout-completed",
      }),
    ).toBe(2); // "slack" and "revoked" are both of type slack; only "slack" succeeds
    expect(
      sampleValue(samples, "notification_send_success", {
        ...owner,
        type: "webhook",
        reason: "on-rollout-aborted",
      }),
    ).toBe(2); // two webhook services
    expect(
      sampleValue(samples, "notification_send_success", {
        ...owner,
        type: "pagerdutyv2",
        reason: "on-rollout-updated",
      }),
    ).toBe(2);
    expect(sampleValue(samples, "notification_send_error", { ...owner, type: "slack" })).toBe(PER_SERVICE);
    expect(sampleValue(samples, "notification_send_count", owner)).toBe(PER_SERVICE * DELIVERING.length);
  });

  it("has no sample without its declared labels, and no label value outside names/triggers", () => {
    const declared = new Map(
      createMetrics()
        .registry.getMetricsAsArray()
        .map((m) => [m.name, (m as unknown as { labelNames: string[] }).labelNames]),
    );
    for (const s of samples) {
      const base = s.name.replace(/_(bucket|sum|count)$/, "");
      const labels = declared.get(declared.has(s.name) ? s.name : base);
      if (!labels) continue; // prom-client default metrics are not registered; nothing else should exist
      const own = Object.keys(s.labels).filter((l) => l !== "le");
      expect(own.sort(), s.name).toEqual([...labels].sort());
    }
  });
});
