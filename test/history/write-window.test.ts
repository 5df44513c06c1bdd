// The service gathers the history's writes over a window (writeWindowMs): nobody waits on them, yet a read of
// the history must see what was written before it, and stop() must not lose what is still gathered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryHistory } from "../../src/history/delivery-history.ts";
import { buildNotificationJob } from "../../src/queue/notification-job.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

function transitionAndJob(n: number) {
  const ref = { kind: "Rollout", namespace: "apps", name: "web", uid: "uid-apps-web" };
  const transition: Transition = {
    id: `${ref.uid}.t${n}`,
    trigger: "on-rollout-step-completed",
    object: ref,
    rollout: ref,
    revision: "2",
    snapshot: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web", namespace: "apps" },
    },
  };
  const job = buildNotificationJob({
    transition,
    destination: { service: "slack", recipient: "deploys" },
    notification: { message: `step ${n} of web` },
    detectedAt: Date.now(),
  });
  return { transition, job };
}

describe("delivery history with a write window", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("reads what was written before the read, though the window has not closed", async () => {
    const c = redis.client();
    const h = new DeliveryHistory(c, { writeWindowMs: 60_000 });
    const { transition, job } = transitionAndJob(1);
    void h.recordHandOff([transition], [{ job, outcome: "queued" }]);
    void h.recordAttempt(
      job.jobId,
      { at: Date.now(), attempt: 1, outcome: "delivered" },
      "delivered",
      undefined,
      {
        service: "slack",
        what: "delivered",
      },
    );
    void h.setOutcome(job.jobId, "purged", "purged by dev");
    const rec = await h.notification(job.jobId);
    expect(rec).toMatchObject({ outcome: "purged", detail: "purged by dev", message: "step 1 of web" });
    expect(rec?.attempts).toHaveLength(1);
    expect((await h.transitionsOf("apps", "web")).map((t) => t.id)).toEqual([transition.id]);
    expect(await h.serviceCounts()).toEqual([{ service: "slack", delivered: 1, failed: 0 }]);
    c.disconnect();
  });

  it("flush() writes what is still gathered, before the connection closes", async () => {
    const c = redis.client();
    const h = new DeliveryHistory(c, { writeWindowMs: 60_000 });
    const { transition, job } = transitionAndJob(2);
    void h.recordHandOff([transition], [{ job, outcome: "queued" }]);
    await h.flush();
    c.disconnect();
    const reader = redis.client();
    expect(await new DeliveryHistory(reader).notification(job.jobId)).toMatchObject({ outcome: "queued" });
    reader.disconnect();
  });

  it("keeps an attempts list within its bound and the minute's counts expiring", async () => {
    const c = redis.client();
    const h = new DeliveryHistory(c, { writeWindowMs: 5, maxAttemptsKept: 3 });
    const { transition, job } = transitionAndJob(3);
    await h.recordHandOff([transition], [{ job, outcome: "queued" }]);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await h.recordAttempt(
        job.jobId,
        { at: Date.now(), attempt, outcome: "failed" },
        "retrying",
        undefined,
        {
          service: "teams",
          what: "failed",
        },
      );
    }
    expect((await h.notification(job.jobId))?.attempts.map((a) => a.attempt)).toEqual([3, 4, 5]);
    const statsKeys = await c.keys("*:stats:*");
    expect(statsKeys.length).toBeGreaterThan(0);
    for (const k of statsKeys) expect(await c.ttl(k)).toBeGreaterThan(0);
    c.disconnect();
  });
});
