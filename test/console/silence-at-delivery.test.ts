// A silence created after a notification was queued, before it is sent, still holds it: the durable worker asks
// the silences right before handing a job to its sink. Real Redis, the real delivery worker, the console's hooks
// (history, metrics) and silence store wired as `run` wires them, a stand-in sink that blocks on command.
//   job A reaches the sink and hangs there; job B (same Rollout and destination) waits behind it
//   → a silence matching B's Rollout by label is created (in another process's store: only Redis is shared)
//   → A is let through; B is never handed to the sink, the history says silenced (with the silence), the metric
//     counts it, the queue acked it → the silence ends: its summary reaches the sink and lists B.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryHistory } from "../../src/history/delivery-history.ts";
import { historyDeliveryHooks } from "../../src/history/history-hooks.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../src/queue/delivery-worker.ts";
import { metricsDeliveryHooks } from "../../src/queue/metrics-hooks.ts";
import { buildNotificationJob, type NotificationJob } from "../../src/queue/notification-job.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { createRedisConnection, type RedisClient } from "../../src/redis/redis-connection.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { silencesAtDelivery } from "../../src/silences/delivery-hold.ts";
import { SilenceStore } from "../../src/silences/silence-store.ts";
import { summaryJobs, sweepExpiredSilences } from "../../src/silences/silence-summary.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { eventually, FakeSink, resolveService, silentLogger } from "../queue/queue-test-kit.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

function jobFor(n: number, trigger: string): NotificationJob {
  const ref = { kind: "Rollout", namespace: "shop", name: "checkout", uid: "uid-checkout" };
  const transition: Transition = {
    id: `uid-checkout.${trigger}.${n}`,
    trigger,
    object: ref,
    rollout: ref,
    revision: String(n),
    snapshot: { metadata: { name: "checkout", namespace: "shop", labels: { tier: "web" } } },
  };
  return buildNotificationJob({
    transition,
    destination: { service: "hook", recipient: "" },
    notification: { message: `checkout ${trigger} #${n}`, webhook: { method: "POST", path: "", body: "{}" } },
    detectedAt: Date.now(),
    labels: { tier: "web", team: "payments" },
  });
}

describe("silences at delivery", () => {
  let redis: RedisHarness;
  const connections: RedisClient[] = [];
  let queue: RedisNotificationQueue;
  let worker: DeliveryWorker;
  const sink = new FakeSink();
  const metrics = createMetrics();
  let history: DeliveryHistory;
  /** The worker process's silences; the operator's are another store on another connection. */
  let workerSilences: SilenceStore;
  let operatorSilences: SilenceStore;
  let release: () => void = () => {};

  beforeAll(async () => {
    redis = await startRedis();
    const conn = () => {
      const c = createRedisConnection(redis.url);
      connections.push(c);
      return c;
    };
    queue = new RedisNotificationQueue({ connection: conn(), settlePollMs: 20 });
    history = new DeliveryHistory(conn());
    workerSilences = new SilenceStore(conn());
    operatorSilences = new SilenceStore(conn());
    await workerSilences.refresh();
    worker = await startDeliveryWorker({
      connection: conn(),
      sinks: () => sink,
      resolveService,
      logger: silentLogger,
      rateLimitFor: () => undefined,
      holdAtDelivery: silencesAtDelivery(workerSilences),
      hooks: metricsDeliveryHooks(metrics, historyDeliveryHooks(history)),
    });
  });
  afterAll(async () => {
    release();
    await worker?.close({ force: true });
    await queue?.close();
    for (const c of connections) c.disconnect();
    await redis?.stop();
  });

  it("holds a queued notification when a silence is created before it is sent; the summary lists it", {
    timeout: 30_000,
  }, async () => {
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = jobFor(1, "on-rollout-updated");
    const b = jobFor(2, "on-rollout-step-completed");
    sink.plan = (jobId) => (jobId === a.jobId ? blocked : undefined);
    await queue.enqueue([a, b]);
    await history.recordHandOff(
      [],
      [
        { job: a, outcome: "queued" },
        { job: b, outcome: "queued" },
      ],
    );
    await eventually(() => sink.attemptsByJob.has(a.jobId), "A in the sink");
    expect(await queue.store.getStates([b.jobId])).toEqual(["queued"]);

    const silence = await operatorSilences.create(
      {
        matchers: { namespace: "shop", labels: { tier: "web" }, service: "hook" },
        duration: "1h",
        comment: "checkout maintenance",
        summary: true,
      },
      "alice",
    );
    release();
    expect(await queue.waitUntilSettled([a.jobId, b.jobId], { timeoutMs: 10_000 })).toMatchObject({
      delivered: [a.jobId, b.jobId],
      deadLettered: [],
    });

    // A went out before the silence could hold it; B never reached the sink
    expect(sink.delivered().map((d) => d.jobId)).toEqual([a.jobId]);
    expect(sink.attemptsByJob.has(b.jobId)).toBe(false);
    await eventually(
      async () => (await history.notification(b.jobId))?.outcome === "silenced",
      "B silenced in the history",
    );
    const held = (await history.notification(b.jobId))!;
    expect(held.attempts).toEqual([]);
    expect(held.detail).toContain(`silence ${silence.id} by alice`);
    expect(held.detail).toContain("checkout maintenance");
    await eventually(
      async () => (await history.notification(a.jobId))?.outcome === "delivered",
      "A delivered in the history",
    );
    const counted = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels.service === "hook")
        ?.value ?? 0;
    expect(await counted("rollouts_notifier_notifications_silenced_total")).toBe(1);
    expect(await counted("rollouts_notifier_notifications_delivered_total")).toBe(1);
    expect((await operatorSilences.held(silence.id)).held.map((h) => h.jobId)).toEqual([b.jobId]);

    // the silence ends: one summary to the destination, listing B, delivered like any notification
    await operatorSilences.expire(silence.id, "alice");
    expect(await sweepExpiredSilences({ store: operatorSilences, queue, logger: silentLogger })).toBe(1);
    await eventually(() => sink.delivered().length === 2, "the summary delivered");
    const summary = sink.delivered()[1]!.message;
    expect(summary).toContain(`Silence ${silence.id} ended: 1 notification(s) were held back`);
    expect(summary).toContain(
      "shop/checkout on-rollout-step-completed: checkout on-rollout-step-completed #2",
    );
    expect(summary).not.toContain("on-rollout-updated");

    // and once it has ended, the same kind of notification is sent again
    const c = jobFor(3, "on-rollout-step-completed");
    await queue.enqueue([c]);
    await queue.waitUntilSettled([c.jobId], { timeoutMs: 10_000 });
    expect(sink.delivered().map((d) => d.jobId)).toContain(c.jobId);
  });

  it("never holds a silence's summary, even when another active silence matches it", async () => {
    const other = await operatorSilences.create(
      { matchers: { service: "hook" }, duration: "1h", comment: "all hooks quiet" },
      "bob",
    );
    const hold = silencesAtDelivery(workerSilences);
    expect(await hold(jobFor(7, "on-rollout-updated"))).toContain(`silence ${other.id} by bob`);
    const ended = { ...other, id: "ended1", summary: true };
    const [summary] = summaryJobs(
      ended,
      [
        {
          jobId: "x",
          trigger: "on-rollout-updated",
          object: jobFor(7, "on-rollout-updated").transition.object,
          service: "hook",
          recipient: "",
          headline: "h",
          at: Date.now(),
        },
      ],
      0,
      Date.now(),
    ).jobs;
    expect(await hold(summary!)).toBeUndefined();
    await operatorSilences.expire(other.id, "bob");
  });

  it("does not send against silences it cannot read: a transient failure (retried by the queue)", async () => {
    const broken = new SilenceStore(connections[0]!);
    broken.activeNow = () =>
      Promise.reject(new Error("READONLY You can't write against a read only replica"));
    const hold = silencesAtDelivery(broken);
    await expect(hold(jobFor(9, "on-rollout-updated"))).rejects.toMatchObject({
      code: "silences-unreadable",
      transient: true,
    });
  });
});
