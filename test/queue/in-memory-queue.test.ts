// The in-process queue (demo/replay) keeps the durable queue's semantics.
import { afterEach, describe, expect, it } from "vitest";
import { createInMemoryQueue, type InMemoryNotificationQueue } from "../../src/queue/in-memory-queue.ts";
import type { DeliveryOptions } from "../../src/queue/notification-queue.ts";
import {
  FAST_RETRY,
  FakeSink,
  makeJob,
  permanent,
  resolveService,
  silentLogger,
  transient,
} from "./queue-test-kit.ts";

const queues: InMemoryNotificationQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
});

function queue(sink: FakeSink, extra: Partial<DeliveryOptions> = {}) {
  const q = createInMemoryQueue({
    sinks: () => sink,
    resolveService,
    logger: silentLogger,
    retry: FAST_RETRY,
    concurrency: 4,
    ...extra,
  });
  queues.push(q);
  return q;
}

describe("in-memory queue", () => {
  it("is not durable and delivers a job id once however often it is enqueued", async () => {
    const sink = new FakeSink();
    const q = queue(sink);
    expect(q.durable).toBe(false);
    const job = makeJob({ rollout: "m1" });
    expect(await q.enqueue([job, job])).toEqual({ enqueued: [job.jobId], duplicates: [job.jobId] });
    await q.onIdle();
    expect(await q.enqueue([job])).toEqual({ enqueued: [], duplicates: [job.jobId] });
    await q.onIdle();
    expect(sink.calls.map((c) => c.jobId)).toEqual([job.jobId]);
  });

  it("rejects an invalid job naming it, and adds nothing of the batch", async () => {
    const q = queue(new FakeSink());
    const good = makeJob({ rollout: "v" });
    const bad = { ...makeJob({ rollout: "v2" }), jobId: "a:b" };
    await expect(q.enqueue([good, bad])).rejects.toThrow(
      /notification job "a:b": jobId must not contain ':'/,
    );
    expect((await q.waitUntilSettled([good.jobId])).unknown).toEqual([good.jobId]);
  });

  it("keeps order per key while the head retries; other keys are not held up", async () => {
    const sink = new FakeSink();
    const jobs = ["x", "y"].flatMap((k) =>
      ["on-rollout-updated", "on-rollout-paused", "on-rollout-aborted"].map((trigger, n) =>
        makeJob({ rollout: k, trigger, n }),
      ),
    );
    let released = false;
    sink.plan = (id) => (id === jobs[0]!.jobId && !released ? transient() : undefined);
    const q = queue(sink, { retry: { ...FAST_RETRY, maxAttempts: 1000 } });
    await q.enqueue(jobs);
    await q.waitUntilSettled(jobs.slice(3).map((j) => j.jobId));
    expect(sink.delivered().map((c) => c.jobId)).toEqual(jobs.slice(3).map((j) => j.jobId));
    released = true;
    const report = await q.waitUntilSettled(jobs.map((j) => j.jobId));
    expect(report.delivered).toHaveLength(6);
    expect(
      sink
        .delivered()
        .filter((c) => c.jobId.startsWith("x%3A"))
        .map((c) => c.jobId),
    ).toEqual(jobs.slice(0, 3).map((j) => j.jobId));
  });

  it("dead-letters permanent failures at once and exhausted transient ones after maxAttempts; retry and purge", async () => {
    const sink = new FakeSink();
    const perm = makeJob({ rollout: "d1" });
    const flaky = makeJob({ rollout: "d2" });
    const unknownService = makeJob({ rollout: "d3", destination: { service: "nope", recipient: "" } });
    let failing = true;
    sink.plan = (id) =>
      !failing ? undefined : id === perm.jobId ? permanent() : transient("network-ECONNRESET");
    const q = queue(sink, { retry: { ...FAST_RETRY, maxAttempts: 3 } });
    await q.enqueue([perm, flaky, unknownService]);
    const report = await q.waitUntilSettled([perm.jobId, flaky.jobId, unknownService.jobId]);
    expect(report.deadLettered.sort()).toEqual([perm.jobId, flaky.jobId, unknownService.jobId].sort());
    expect(sink.attemptsByJob.get(perm.jobId)).toBe(1);
    expect(sink.attemptsByJob.get(flaky.jobId)).toBe(3);
    const letters = await q.listDeadLetters();
    expect(letters.find((l) => l.id === unknownService.jobId)?.reason).toEqual({
      code: "service-not-found",
      message: 'service "nope" is not configured',
      transient: false,
    });
    expect(letters.find((l) => l.id === flaky.jobId)).toMatchObject({
      attempts: 3,
      reason: { transient: true },
    });

    failing = false;
    expect(await q.retryDeadLetter(flaky.jobId)).toBe(true);
    expect(await q.retryDeadLetter("missing")).toBe(false);
    expect((await q.waitUntilSettled([flaky.jobId])).delivered).toEqual([flaky.jobId]);
    // one purged on its own: only that one; its id stays known
    expect(await q.purgeDeadLetter(unknownService.jobId)).toBe(true);
    expect(await q.purgeDeadLetter(unknownService.jobId)).toBe(false);
    expect(await q.purgeDeadLetter(flaky.jobId)).toBe(false);
    expect((await q.listDeadLetters()).map((l) => l.id)).toEqual([perm.jobId]);
    expect(await q.enqueue([unknownService])).toEqual({ enqueued: [], duplicates: [unknownService.jobId] });
    expect(await q.purgeDeadLetters()).toBe(1);
    expect(await q.countDeadLetters()).toBe(0);
    expect(await q.enqueue([perm])).toEqual({ enqueued: [], duplicates: [perm.jobId] });
  });

  it("honours Retry-After and per-destination rate limits", async () => {
    const sink = new FakeSink("slack");
    sink.plan = (id, attempt) =>
      id.startsWith("ra") && attempt === 1 ? transient("http-429", 300) : undefined;
    const q = queue(sink, {
      retry: { ...FAST_RETRY, baseDelayMs: 1, maxDelayMs: 1 },
      rateLimitFor: (_s, d) => (d.recipient === "busy" ? { perSecond: 20, burst: 2 } : undefined),
    });
    const ra = makeJob({ rollout: "ra", destination: { service: "slack", recipient: "other" } });
    const busy = [1, 2, 3, 4].map((n) =>
      makeJob({ rollout: `b${n}`, destination: { service: "slack", recipient: "busy" } }),
    );
    const start = Date.now();
    await q.enqueue([ra, ...busy]);
    await q.onIdle();
    const raCalls = sink.calls.filter((c) => c.jobId === ra.jobId);
    expect(raCalls[1]!.at - raCalls[0]!.at).toBeGreaterThanOrEqual(300);
    const t = sink.calls.filter((c) => c.recipient === "busy").map((c) => c.at);
    // burst of 2, then one per 50 ms: the i-th send (0-based) cannot happen before start + (i - 1) * 50
    expect(t).toHaveLength(4);
    expect(t[2]! - start).toBeGreaterThanOrEqual(50);
    expect(t[3]! - start).toBeGreaterThanOrEqual(100);
  });

  it("close() waits for deliveries in flight", async () => {
    const sink = new FakeSink();
    let finish: (() => void) | undefined;
    sink.plan = () =>
      new Promise<void>((r) => {
        finish = r;
      });
    const q = queue(sink);
    const job = makeJob({ rollout: "c" });
    await q.enqueue([job]);
    while (!finish) await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = q.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(sink.delivered().map((c) => c.jobId)).toEqual([job.jobId]);
  });
});
