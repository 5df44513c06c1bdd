// The DeliveryStore contract, the same cases against both stores (in memory; Redis on a private redis-server),
// directly and through the delivery engine: order per key, exactly one ack, retry with backoff, Retry-After, dead
// letters with their reason, dead-letter retry, promotion of the next job, and a crash between attempt and ack.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryEngine, ticketOf } from "../../src/queue/delivery-engine.ts";
import type { DeliveryStore } from "../../src/queue/delivery-store.ts";
import { InMemoryDeliveryStore } from "../../src/queue/in-memory-delivery-store.ts";
import type { NotificationJob } from "../../src/queue/notification-job.ts";
import type { DeadLetter, DeliveryOptions } from "../../src/queue/notification-queue.ts";
import { READY_EXECUTOR, RedisQueueStore } from "../../src/queue/redis-queue-store.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { FakeSink, makeJob, permanent, resolveService, silentLogger, transient } from "./queue-test-kit.ts";

let redis: RedisHarness;
let connection: Redis;
let seq = 0;

beforeAll(async () => {
  redis = await startRedis();
  connection = createRedisConnection(redis.url);
});
afterAll(async () => {
  connection.disconnect();
  await redis.stop();
});

/** Each store with the executor it names for a job given an executor id: the in-memory store the one it is given;
 * the Redis store its one executor (its ready and active sets) for every job. */
const stores: [string, () => DeliveryStore, (given: string) => string][] = [
  ["in memory", () => new InMemoryDeliveryStore(), (given) => given],
  ["Redis", () => new RedisQueueStore(connection, { queueName: `contract-${++seq}` }), () => READY_EXECUTOR],
];

const POLICY = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 60_000 };

function engineOn(store: DeliveryStore, sink: FakeSink, extra: Partial<DeliveryOptions> = {}) {
  return createDeliveryEngine(store, {
    sinks: () => sink,
    resolveService,
    logger: silentLogger,
    retry: POLICY,
    ...extra,
  });
}

function letterOf(job: NotificationJob, code = "http-400"): DeadLetter {
  return {
    id: job.jobId,
    job,
    reason: { code, message: "rejected", transient: false },
    attempts: 1,
    enqueuedAt: Date.now(),
    deadLetteredAt: Date.now(),
  };
}

describe.each(stores)("DeliveryStore contract: %s", (_name, makeStore, exec) => {
  const ticket = (job: NotificationJob) => ticketOf(job, exec(job.jobId));
  it("keeps order per key: only the head is claimed, other keys are independent", async () => {
    const store = makeStore();
    const [a1, a2] = [makeJob({ rollout: "a", n: 1 }), makeJob({ rollout: "a", n: 2 })];
    const b1 = makeJob({ rollout: "b", n: 1 });
    const states = await store.enqueue([a1, a2, b1], Date.now());
    expect(states.map((s) => s.state)).toEqual(["created", "created", "created"]);
    expect(await store.head(a1.orderingKey)).toBe(a1.jobId);

    expect(await store.claim(ticket(a2), { now: Date.now(), countAttempt: true })).toEqual({
      outcome: "behind",
      head: { jobId: a1.jobId, executorId: exec(a1.jobId) },
    });
    expect(await store.claim(ticket(b1), { now: Date.now(), countAttempt: true })).toMatchObject({
      outcome: "claimed",
      job: b1,
      attempts: 1,
    });
    expect(await store.claim(ticket(a1), { now: Date.now(), countAttempt: true })).toMatchObject({
      outcome: "claimed",
      job: a1,
      attempts: 1,
    });
  });

  it("acks exactly once, promotes the next job of the key, and keeps the id known", async () => {
    const store = makeStore();
    const [first, second] = [makeJob({ rollout: "k", n: 1 }), makeJob({ rollout: "k", n: 2 })];
    await store.enqueue([first, second], Date.now());
    await store.claim(ticket(first), { now: Date.now(), countAttempt: true });
    expect(await store.markDelivered(first, Date.now(), "ref-1")).toEqual({
      changed: true,
      next: { jobId: second.jobId, executorId: exec(second.jobId) },
    });
    expect(await store.markDelivered(first, Date.now(), "ref-1")).toEqual({ changed: false });
    expect(await store.markDead(letterOf(first))).toEqual({ changed: false });
    expect(await store.getStates([first.jobId, second.jobId, "nope"])).toEqual([
      "delivered",
      "queued",
      undefined,
    ]);
    expect((await store.enqueue([first], Date.now()))[0]!.state).toBe("delivered");
    expect(await store.claim(ticket(first), { now: Date.now(), countAttempt: true })).toEqual({
      outcome: "skip",
      why: "delivered",
    });
    expect(await store.head(first.orderingKey)).toBe(second.jobId);
    expect(await store.markDelivered(second, Date.now(), "")).toEqual({ changed: true });
    expect(await store.head(first.orderingKey)).toBeUndefined();
  });

  it("re-claims a job whose attempt never acked (a crash): the attempt counted, the job still the head", async () => {
    const store = makeStore();
    const [job, after] = [makeJob({ rollout: "c", n: 1 }), makeJob({ rollout: "c", n: 2 })];
    await store.enqueue([job, after], 1_000);
    expect(await store.claim(ticket(job), { now: 2_000, countAttempt: true })).toMatchObject({
      outcome: "claimed",
      attempts: 1,
      firstAttemptAt: 2_000,
      enqueuedAt: 1_000,
    });
    // the executor died here; another run claims it again
    expect(await store.claim(ticket(job), { now: 3_000, countAttempt: true })).toMatchObject({
      outcome: "claimed",
      attempts: 2,
      firstAttemptAt: 2_000,
    });
    expect((await store.claim(ticket(after), { now: 3_000, countAttempt: true })).outcome).toBe("behind");
    expect((await store.markDelivered(job, 4_000, "")).changed).toBe(true);
    expect(await store.getStates([job.jobId])).toEqual(["delivered"]);
  });

  it("takes a rate slot before counting the attempt, per destination", async () => {
    const store = makeStore();
    const dest = { service: "slack", recipient: "busy" };
    const [x, y] = [
      makeJob({ rollout: "rx", destination: dest }),
      makeJob({ rollout: "ry", destination: dest }),
    ];
    const other = makeJob({ rollout: "rz", destination: { service: "slack", recipient: "quiet" } });
    await store.enqueue([x, y, other], 0);
    const rate = { perSecond: 10, burst: 1 };
    expect((await store.claim(ticket(x), { now: 10_000, rate, countAttempt: true })).outcome).toBe("claimed");
    expect(await store.claim(ticket(y), { now: 10_020, rate, countAttempt: true })).toEqual({
      outcome: "wait",
      waitMs: 80,
    });
    expect((await store.claim(ticket(other), { now: 10_020, rate, countAttempt: true })).outcome).toBe(
      "claimed",
    );
    expect(await store.claim(ticket(y), { now: 10_100, rate, countAttempt: true })).toMatchObject({
      outcome: "claimed",
      attempts: 1, // the wait counted nothing
    });
  });

  it("dead-letters with the reason, retries a dead letter behind the queued jobs of its key, purges", async () => {
    const store = makeStore();
    const [bad, next] = [makeJob({ rollout: "d", n: 1 }), makeJob({ rollout: "d", n: 2 })];
    await store.enqueue([bad, next], Date.now());
    await store.claim(ticket(bad), { now: Date.now(), countAttempt: true });
    const letter = letterOf(bad, "http-400");
    expect(await store.markDead(letter)).toEqual({
      changed: true,
      next: { jobId: next.jobId, executorId: exec(next.jobId) },
    });
    expect(await store.listDeadLetters()).toEqual([letter]);
    expect(await store.getDeadLetter(bad.jobId)).toEqual(letter);
    expect(await store.countDeadLetters()).toBe(1);
    expect(await store.getStates([bad.jobId])).toEqual(["dead"]);

    expect(await store.requeueDead(letter, `${bad.jobId}~retry`, Date.now())).toBe(true);
    expect(await store.requeueDead(letter, `${bad.jobId}~again`, Date.now())).toBe(false);
    expect(await store.countDeadLetters()).toBe(0);
    // behind the job that was queued meanwhile; its old executor is superseded by the new one
    expect(await store.head(bad.orderingKey)).toBe(next.jobId);
    expect(await store.markDelivered(next, Date.now(), "")).toEqual({
      changed: true,
      next: { jobId: bad.jobId, executorId: exec(`${bad.jobId}~retry`) },
    });
    if (exec(bad.jobId) !== exec(`${bad.jobId}~retry`)) {
      // a store that names an executor per run: the dead letter's old one is superseded
      expect(await store.claim(ticket(bad), { now: Date.now(), countAttempt: true })).toEqual({
        outcome: "skip",
        why: "superseded",
      });
    }
    expect(
      await store.claim(
        { ...ticket(bad), executorId: exec(`${bad.jobId}~retry`) },
        { now: 5, countAttempt: true },
      ),
    ).toMatchObject({ outcome: "claimed", attempts: 1, firstAttemptAt: 5 });

    await store.markDead(letterOf(bad));
    expect(await store.purgeDeadLetters()).toBe(1);
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await store.getStates([bad.jobId])).toEqual(["purged"]);
    expect((await store.enqueue([bad], Date.now()))[0]!.state).toBe("purged");
  });

  it("purges one dead letter, and only a dead letter", async () => {
    const store = makeStore();
    const [a, b] = [makeJob({ rollout: "p1", n: 1 }), makeJob({ rollout: "p2", n: 1 })];
    await store.enqueue([a, b], Date.now());
    await store.claim(ticket(a), { now: Date.now(), countAttempt: true });
    await store.markDead(letterOf(a));
    expect(await store.purgeDeadLetter(b.jobId)).toBe(false); // queued, not dead
    expect(await store.purgeDeadLetter(a.jobId)).toBe(true);
    expect(await store.purgeDeadLetter(a.jobId)).toBe(false);
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await store.getStates([a.jobId, b.jobId])).toEqual(["purged", "queued"]);
    expect(await store.head(b.orderingKey)).toBe(b.jobId);
  });

  describe("through the delivery engine", () => {
    it("delivers, acks once and hands over the next job of the key", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const engine = engineOn(store, sink);
      const [first, second] = [makeJob({ rollout: "e", n: 1 }), makeJob({ rollout: "e", n: 2 })];
      await store.enqueue([first, second], Date.now());
      expect(await engine.run(ticket(second))).toEqual({
        outcome: "behind",
        head: { jobId: first.jobId, executorId: exec(first.jobId) },
      });
      expect(await engine.run(ticket(first))).toEqual({
        outcome: "delivered",
        changed: true,
        next: { jobId: second.jobId, executorId: exec(second.jobId) },
      });
      expect(await engine.run(ticket(first))).toEqual({ outcome: "skipped", why: "delivered" });
      expect(await engine.run(ticket(second))).toEqual({ outcome: "delivered", changed: true });
      expect(sink.calls.map((c) => c.jobId)).toEqual([first.jobId, second.jobId]);
    });

    it("retries a transient failure with backoff, then delivers it", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const retried: number[] = [];
      const engine = engineOn(store, sink, { hooks: { onRetried: (e) => retried.push(e.attempt) } });
      const job = makeJob({ rollout: "r" });
      sink.plan = (_id, attempt) => (attempt === 1 ? transient("http-503") : undefined);
      await store.enqueue([job], Date.now());
      const step = await engine.run(ticket(job));
      expect(step.outcome).toBe("retry");
      const delayMs = (step as { delayMs: number }).delayMs;
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(POLICY.baseDelayMs); // full jitter under the first cap
      expect(await store.getStates([job.jobId])).toEqual(["queued"]);
      expect(await engine.run(ticket(job))).toEqual({ outcome: "delivered", changed: true });
      expect(retried).toEqual([1]);
      expect(sink.calls.map((c) => c.ok)).toEqual([false, true]);
    });

    it("waits at least the Retry-After the server asked for", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const engine = engineOn(store, sink);
      const job = makeJob({ rollout: "ra" });
      sink.plan = () => transient("http-429", 5_000);
      await store.enqueue([job], Date.now());
      const step = await engine.run(ticket(job));
      expect(step).toMatchObject({ outcome: "retry" });
      expect((step as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(5_000);
    });

    it("dead-letters a permanent failure with its reason and promotes the next job", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const dead: string[] = [];
      const engine = engineOn(store, sink, { hooks: { onDeadLettered: (e) => dead.push(e.reason.code) } });
      const [bad, next] = [makeJob({ rollout: "p", n: 1 }), makeJob({ rollout: "p", n: 2 })];
      sink.plan = (id) => (id === bad.jobId ? permanent("http-400", "invalid_blocks") : undefined);
      await store.enqueue([bad, next], Date.now());
      expect(await engine.run(ticket(bad))).toEqual({
        outcome: "dead-lettered",
        changed: true,
        next: { jobId: next.jobId, executorId: exec(next.jobId) },
      });
      expect(await store.listDeadLetters()).toEqual([
        expect.objectContaining({
          id: bad.jobId,
          attempts: 1,
          reason: { code: "http-400", message: "invalid_blocks", transient: false },
        }),
      ]);
      expect(dead).toEqual(["http-400"]);
    });

    it("dead-letters a job whose service does not exist without counting an attempt", async () => {
      const store = makeStore();
      const engine = engineOn(store, new FakeSink());
      const job = makeJob({ rollout: "ns", destination: { service: "nope", recipient: "" } });
      await store.enqueue([job], Date.now());
      expect(await engine.run(ticket(job))).toEqual({ outcome: "dead-lettered", changed: true });
      expect(await store.listDeadLetters()).toEqual([
        expect.objectContaining({
          attempts: 0,
          reason: {
            code: "service-not-found",
            message: 'service "nope" is not configured',
            transient: false,
          },
        }),
      ]);
    });

    it("dead-letters a job whose runs keep dying mid-delivery once the attempts are used up", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const engine = engineOn(store, sink);
      const job = makeJob({ rollout: "crash" });
      await store.enqueue([job], Date.now());
      // attempts counted by claims whose delivery never finished
      for (let i = 0; i < POLICY.maxAttempts; i++) {
        await store.claim(ticket(job), { now: Date.now(), countAttempt: true });
      }
      expect(await engine.run(ticket(job))).toEqual({ outcome: "dead-lettered", changed: true });
      expect(sink.calls).toEqual([]);
      expect(await store.listDeadLetters()).toEqual([
        expect.objectContaining({
          attempts: POLICY.maxAttempts,
          reason: expect.objectContaining({ code: "attempts-exhausted" }),
        }),
      ]);
    });

    it("reads the job first for a ticket without its destination (executors made before tickets carried it)", async () => {
      const store = makeStore();
      const sink = new FakeSink();
      const engine = engineOn(store, sink);
      const job = makeJob({ rollout: "legacy" });
      await store.enqueue([job], Date.now());
      expect(await engine.run({ jobId: job.jobId, executorId: exec(job.jobId), orderingKey: "" })).toEqual({
        outcome: "delivered",
        changed: true,
      });
    });
  });
});
