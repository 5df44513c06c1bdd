import { describe, expect, it } from "vitest";
import { createInMemoryQueue } from "../../src/queue/in-memory-queue.ts";
import { metricsDeliveryHooks } from "../../src/queue/metrics-hooks.ts";
import type { DeliveryOptions, NotificationQueue } from "../../src/queue/notification-queue.ts";
import { TenantSlots, tenantSlotLimits } from "../../src/queue/tenant-slots.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { FAST_RETRY, FakeSink, makeJob, resolveService, silentLogger } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

describe("TenantSlots", () => {
  it("derives its limits from the worker's concurrency: a quarter per namespace, half for all", () => {
    expect(tenantSlotLimits(8)).toEqual({ perNamespace: 2, total: 4 });
    expect(tenantSlotLimits(32)).toEqual({ perNamespace: 8, total: 16 });
    expect(tenantSlotLimits(1)).toEqual({ perNamespace: 1, total: 1 });
    expect(tenantSlotLimits(8, 6)).toEqual({ perNamespace: 6, total: 6 });
  });

  it("holds a namespace to its share and all namespaces to theirs; a slot is released once", () => {
    const slots = new TenantSlots({ perNamespace: 2, total: 3 });
    const a1 = slots.take("a", "j1");
    const a2 = slots.take("a", "j2");
    expect(a1 && a2).toBeTruthy();
    expect(slots.take("a", "j3")).toBeUndefined();
    const b1 = slots.take("b", "j4");
    expect(b1).toBeTruthy();
    expect(slots.take("b", "j5")).toBeUndefined(); // all namespaces at 3
    a1!();
    a1!(); // a second release changes nothing
    expect(slots.inFlight("a")).toBe(1);
    expect(slots.inFlight()).toBe(2);
    expect(slots.take("b", "j5")).toBeTruthy();
    expect(slots.take("a", "j3")).toBeUndefined();
  });

  it("puts a job off longer each time it finds its share used, up to 30 s, and starts again once it got a slot", () => {
    const slots = new TenantSlots({ perNamespace: 1, total: 1 }, { random: () => 0.5 });
    const delays = Array.from({ length: 10 }, () => slots.deferralMs("j"));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(slots.deferralMs("other")).toBe(250);
    slots.take("a", "j")!();
    expect(slots.deferralMs("j")).toBe(250);
  });
});

const { setup, onClose } = useRedisQueues();

const CONCURRENCY = 8; // a namespace: 2 in flight; all namespaces: 4

type StartQueue = (sink: FakeSink, opts: Pick<DeliveryOptions, "hooks">) => Promise<NotificationQueue>;

const queues: Record<string, StartQueue> = {
  "in-memory queue": async (sink, opts) => {
    const q = createInMemoryQueue({
      sinks: () => sink,
      resolveService,
      logger: silentLogger,
      retry: FAST_RETRY,
      concurrency: CONCURRENCY,
      ...opts,
    });
    onClose(() => q.close());
    return q;
  },
  "Redis queue": async (sink, opts) => {
    const { queue, start } = setup();
    await start(sink, { concurrency: CONCURRENCY, ...opts });
    return queue;
  },
};

describe.each(Object.keys(queues))("a namespace whose endpoint hangs, %s", (name) => {
  it("keeps within its share of the slots while the operator's services and other namespaces deliver", {
    timeout: 60_000,
  }, async () => {
    const sink = new FakeSink();
    let open!: () => void;
    const answering = new Promise<void>((resolve) => {
      open = resolve;
    });
    const hanging = Array.from({ length: 10 }, (_, i) =>
      makeJob({ rollout: `h${i}`, tenantNamespace: "hang" }),
    );
    const neighbours = Array.from({ length: 6 }, (_, i) =>
      makeJob({ rollout: `o${i}`, tenantNamespace: "other" }),
    );
    const central = Array.from({ length: 6 }, (_, i) => makeJob({ rollout: `c${i}` }));
    const namespaceOf = new Map<string, string>([
      ...hanging.map((j) => [j.jobId, "hang"] as const),
      ...neighbours.map((j) => [j.jobId, "other"] as const),
    ]);
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    const track = (ns: string | undefined, by: number) => {
      for (const key of ns === undefined ? [] : [ns, "namespaces"]) {
        const n = (inFlight.get(key) ?? 0) + by;
        inFlight.set(key, n);
        most.set(key, Math.max(most.get(key) ?? 0, n));
      }
    };
    sink.plan = (jobId) => {
      const ns = namespaceOf.get(jobId);
      track(ns, 1);
      const done = ns === "hang" ? answering : new Promise((r) => setTimeout(r, 20));
      return done.then(() => track(ns, -1));
    };
    const metrics = createMetrics();
    const q = await queues[name]!(sink, { hooks: metricsDeliveryHooks(metrics) });

    await q.enqueue(hanging);
    await q.enqueue([...neighbours, ...central]);
    const others = [...neighbours, ...central].map((j) => j.jobId);
    const meanwhile = await q.waitUntilSettled(others, { timeoutMs: 20_000 });
    expect(meanwhile.delivered.sort()).toEqual([...others].sort());
    // the hanging namespace never held more than its share; the namespaces together never more than theirs
    expect(most.get("hang")).toBe(2);
    expect(most.get("namespaces")).toBeLessThanOrEqual(4);
    expect(sink.calls.filter((c) => namespaceOf.get(c.jobId) === "hang")).toHaveLength(0); // none answered yet
    const deferred = await metrics.registry.getSingleMetricAsString(
      "rollouts_notifier_notifications_deferred_total",
    );
    expect(deferred).toMatch(/rollouts_notifier_notifications_deferred_total\{namespace="hang"\} [1-9]/);

    open();
    const all = await q.waitUntilSettled(
      hanging.map((j) => j.jobId),
      { timeoutMs: 40_000 },
    );
    expect(all.delivered.sort()).toEqual(hanging.map((j) => j.jobId).sort());
    const delivered = sink.delivered().map((c) => c.jobId);
    expect(delivered.sort()).toEqual([...hanging.map((j) => j.jobId), ...others].sort());
    expect(most.get("hang")).toBe(2);
    expect(sink.calls.every((c) => c.ok)).toBe(true);
  });
});
