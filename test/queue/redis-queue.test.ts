import { describe, expect, it } from "vitest";
import { metricsDeliveryHooks } from "../../src/queue/metrics-hooks.ts";
import type { DeliveryHooks } from "../../src/queue/notification-queue.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { startFreezingProxy } from "../support/freezing-proxy.ts";
import { captureLogs } from "../support/log-capture.ts";
import { eventually, FAST_RETRY, FakeSink, makeJob, permanent, transient } from "./queue-test-kit.ts";
import { useRedisQueues } from "./redis-queue-kit.ts";

const kit = useRedisQueues();
const { conn, freshQueueName, setup, onClose } = kit;

describe("idempotent enqueue", () => {
  it("delivers a job enqueued twice once, also when it is enqueued again after its delivery", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    await start(sink);
    const job = makeJob({ rollout: "u1" });
    expect(await queue.enqueue([job, job])).toEqual({ enqueued: [job.jobId], duplicates: [job.jobId] });
    expect(await queue.enqueue([job])).toEqual({ enqueued: [], duplicates: [job.jobId] });
    await queue.waitUntilSettled([job.jobId]);

    expect(await queue.enqueue([job])).toEqual({ enqueued: [], duplicates: [job.jobId] });
    // A later job on the same key is delivered after anything the re-enqueue could have caused.
    const marker = makeJob({ rollout: "u1", trigger: "on-rollout-completed" });
    await queue.enqueue([marker]);
    await queue.waitUntilSettled([marker.jobId]);
    expect(sink.calls.map((c) => c.jobId)).toEqual([job.jobId, marker.jobId]);
  });

  it("makes a queued head without executor ready again: at the repair sweep, and when it is enqueued again", async () => {
    const { queue, start } = setup();
    const client = kit.redis.client();
    const lost = makeJob({ rollout: "u2" });
    const again = makeJob({ rollout: "u3" });
    await queue.enqueue([lost, again]);
    // as if a bug had dropped them from the ready set
    expect(await client.zrem(queue.store.readyKey, lost.jobId, again.jobId)).toBe(2);
    expect(await queue.enqueue([again])).toEqual({ enqueued: [], duplicates: [again.jobId] });
    expect(await client.zscore(queue.store.readyKey, again.jobId)).not.toBeNull();
    expect(await client.zscore(queue.store.readyKey, lost.jobId)).toBeNull();
    const sink = new FakeSink();
    const w = await start(sink, { repairIntervalMs: 60_000 });
    await queue.waitUntilSettled([lost.jobId, again.jobId], { timeoutMs: 10_000 });
    expect(await w.repair()).toBe(0); // the start's sweep did it: no key is left
    expect(
      sink
        .delivered()
        .map((c) => c.jobId)
        .sort(),
    ).toEqual([lost.jobId, again.jobId].sort());
  });

  it("delivers, in order, the jobs an older version queued for its BullMQ executor (an upgrade)", async () => {
    const { queue, start } = setup();
    const client = kit.redis.client();
    const jobs = [0, 1, 2].map((n) => makeJob({ rollout: "old", n }));
    const fresh = makeJob({ rollout: "old", trigger: "on-rollout-completed" });
    // the records and ordering list as the previous enqueue.lua wrote them: no ticket, a BullMQ job id as executor,
    // no entry in the ready set
    for (const job of jobs) {
      await client.hset(queue.store.jobKey(job.jobId), {
        state: "queued",
        data: JSON.stringify(job),
        bullId: job.jobId,
        enqueuedAt: Date.now(),
        attempts: 0,
        orderingKey: job.orderingKey,
      });
      await client.rpush(queue.store.orderKey(job.orderingKey), job.jobId);
      await client.sadd(queue.store.keysKey, job.orderingKey);
    }
    await queue.enqueue([fresh]); // behind them
    const sink = new FakeSink();
    await start(sink);
    const ids = [...jobs, fresh].map((j) => j.jobId);
    expect(await queue.waitUntilSettled(ids, { timeoutMs: 10_000 })).toMatchObject({ delivered: ids });
    expect(sink.calls.map((c) => c.jobId)).toEqual(ids);
    // taken over from its BullMQ job: an older version's worker, claiming for that job, finds it superseded
    expect(await client.hget(queue.store.jobKey(jobs[0]!.jobId), "bullId")).toBe("rn:ready");
  });
});

describe("a rolling upgrade from the BullMQ executor", () => {
  it("leaves a head an older worker attempted in the last minute to it, and takes it over later", async () => {
    const { queue, start } = setup();
    const client = kit.redis.client();
    const busy = makeJob({ rollout: "old-busy" });
    const behind = makeJob({ rollout: "old-busy", trigger: "on-rollout-completed" });
    // as the previous version left it: claimed by its BullMQ job a moment ago (attempt counted), delivery in flight
    await client.hset(queue.store.jobKey(busy.jobId), {
      state: "queued",
      data: JSON.stringify(busy),
      bullId: busy.jobId,
      enqueuedAt: Date.now() - 1_000,
      attempts: 1,
      firstAttemptAt: Date.now() - 500,
      lastAttemptAt: Date.now() - 500,
      orderingKey: busy.orderingKey,
    });
    await client.rpush(queue.store.orderKey(busy.orderingKey), busy.jobId);
    await client.sadd(queue.store.keysKey, busy.orderingKey);
    await queue.enqueue([behind]);
    const sink = new FakeSink();
    const w = await start(sink, { repairIntervalMs: 600_000 });
    expect(await w.repair()).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.calls).toEqual([]); // neither it (the old worker's) nor the job behind it
    expect(await client.hget(queue.store.jobKey(busy.jobId), "bullId")).toBe(busy.jobId);

    // the old worker died without settling it: a minute after its attempt, a sweep takes it over
    await client.hset(queue.store.jobKey(busy.jobId), "lastAttemptAt", Date.now() - 61_000);
    await w.repair();
    const ids = [busy.jobId, behind.jobId];
    expect(await queue.waitUntilSettled(ids, { timeoutMs: 10_000 })).toMatchObject({ delivered: ids });
    expect(sink.calls.map((c) => c.jobId)).toEqual(ids);
    expect(await client.hget(queue.store.jobKey(busy.jobId), "attempts")).toBe("2"); // the old worker's counted
  });
});

describe("the ids a producer remembers for onIdle", () => {
  it("are not kept by a queue told not to track them (the service): onIdle refuses, enqueue and delivery go on", async () => {
    const connection = conn();
    const queue = new RedisNotificationQueue({
      connection,
      queueName: freshQueueName(),
      tracksOwnJobs: false,
    });
    onClose(() => queue.close());
    const jobs = Array.from({ length: 3 }, (_, i) => makeJob({ rollout: `untracked-${i}` }));
    const result = await queue.enqueue(jobs);
    expect(result.enqueued).toEqual(jobs.map((j) => j.jobId));
    expect(queue.ownJobCount).toBe(0);
    await expect(queue.onIdle()).rejects.toThrow(/does not track the jobs it enqueues/);
    expect(await queue.store.getStates(jobs.map((j) => j.jobId))).toEqual(["queued", "queued", "queued"]);
  });

  it("are forgotten once settled (a watcher enqueues without end), never while pending: onIdle still waits for those", async () => {
    const { queue, start } = setup({ ownJobsPruneAt: 5 });
    const jobs = Array.from({ length: 12 }, (_, i) => makeJob({ rollout: `own-${i}` }));
    // no worker yet: the prune at the 5th id finds them all queued and forgets none
    await queue.enqueue(jobs.slice(0, 6));
    await new Promise((r) => setTimeout(r, 100));
    expect(queue.ownJobCount).toBe(6);
    const sink = new FakeSink();
    await start(sink);
    await queue.onIdle();
    expect(
      sink
        .delivered()
        .map((c) => c.jobId)
        .sort(),
    ).toEqual(
      jobs
        .slice(0, 6)
        .map((j) => j.jobId)
        .sort(),
    );
    // the next prune (at twice what was left: 12) forgets the delivered ones
    await queue.enqueue(jobs.slice(6));
    await eventually(async () => queue.ownJobCount <= 6, "settled ids forgotten");
    await queue.onIdle();
    expect(
      sink
        .delivered()
        .map((c) => c.jobId)
        .sort(),
    ).toEqual(jobs.map((j) => j.jobId).sort());
    expect(new Set(sink.calls.map((c) => c.jobId)).size).toBe(sink.calls.length);
  });
});

describe("enqueue followed by the transition log's record", () => {
  it("runs the record in the enqueue's round trip, after its writes, and returns its reply", async () => {
    const { queue } = setup();
    const client = conn();
    const log = new TransitionLog(client, { prefix: "fq" });
    const job = makeJob({ rollout: "f1" });
    const t = { ...job.transition, snapshot: { metadata: { name: "r" } } };
    const state = { key: "fq:objstate", field: "f1", value: "s1" };
    await log.record([{ ...t, id: "warm-up" }]); // the server knows the script from now on
    const writes: string[] = [];
    const socket = (client as unknown as { stream: { write: (c: unknown) => boolean } }).stream;
    const write = socket.write;
    socket.write = (c: unknown) => {
      writes.push(String(c));
      return write.call(socket, c);
    };
    const result = await queue.enqueue([job], log.recordCall([t], state));
    socket.write = write;
    expect(result.enqueued).toEqual([job.jobId]);
    expect(log.freshOf([t], result.followUp?.reply)).toEqual([t]);
    expect(await client.hget("fq:objstate", "f1")).toBe("s1");
    expect((await log.list()).map((r) => r.transition.id)).toEqual(["warm-up", t.id]);
    expect(await client.zscore(queue.store.readyKey, job.jobId)).not.toBeNull(); // ready: its key's head
    expect(writes).toEqual([]); // nothing on the log's own connection: it went with the enqueue
    // a repeat: a duplicate, nothing recorded again, the state written again
    const again = await queue.enqueue([job], log.recordCall([t], { ...state, value: "s2" }));
    expect(again).toMatchObject({ enqueued: [], duplicates: [job.jobId] });
    expect(log.freshOf([t], again.followUp?.reply)).toEqual([]);
    expect(await client.hget("fq:objstate", "f1")).toBe("s2");
  });

  it("sends the enqueues of one tick in one write, each with its own follow-up and reply", async () => {
    const connection = conn();
    const queue = new RedisNotificationQueue({ connection, queueName: freshQueueName() });
    onClose(() => queue.close());
    const log = new TransitionLog(conn(), { prefix: "fq3" });
    const [a, b, c] = [makeJob({ rollout: "g1" }), makeJob({ rollout: "g2" }), makeJob({ rollout: "g3" })];
    const t = (job: typeof a) => ({ ...job.transition, snapshot: { metadata: { name: "r" } } });
    await log.record([{ ...t(a), id: "warm-up" }]);
    await queue.enqueue([makeJob({ rollout: "warm-up" })]);
    const stream = (connection as unknown as { stream: { write: (chunk: unknown) => boolean } }).stream;
    const write = stream.write;
    let writes = 0;
    stream.write = (chunk: unknown) => {
      writes++;
      return write.call(stream, chunk);
    };
    const state = (v: string) => ({ key: "fq3:objstate", field: v, value: v });
    const [ra, rb, rc] = await Promise.all([
      queue.enqueue([a], log.recordCall([t(a)], state("a"))),
      queue.enqueue([b, c]),
      queue.enqueue([c], log.recordCall([t(c)], state("c"))),
    ]);
    stream.write = write;
    expect(writes).toBe(1);
    expect([ra, rb, rc].map((r) => [r.enqueued, r.duplicates])).toEqual([
      [[a.jobId], []],
      [[b.jobId, c.jobId], []],
      [[], [c.jobId]],
    ]);
    expect(log.freshOf([t(a)], ra.followUp?.reply).map((x) => x.id)).toEqual([a.transition.id]);
    expect(rb.followUp).toBeUndefined();
    expect(log.freshOf([t(c)], rc.followUp?.reply).map((x) => x.id)).toEqual([c.transition.id]);
    expect(await conn().hgetall("fq3:objstate")).toEqual({ a: "a", c: "c" });
    for (const job of [a, b, c]) {
      expect(await conn().zscore(queue.store.readyKey, job.jobId)).not.toBeNull(); // each its key's head
    }
  });

  it("leaves the call to the caller when the server does not know the script yet (no followUp)", async () => {
    const { queue } = setup();
    const client = conn();
    await client.script("FLUSH");
    const log = new TransitionLog(client, { prefix: "fq2" });
    const job = makeJob({ rollout: "f2" });
    const t = { ...job.transition, snapshot: { metadata: { name: "r" } } };
    const result = await queue.enqueue([job], log.recordCall([t]));
    expect(result.enqueued).toEqual([job.jobId]);
    expect(result.followUp).toBeUndefined();
    expect((await log.record([t])).map((x) => x.id)).toEqual([t.id]);
  });

  /** A queue and a transition log on one connection. */
  const queueWithLog = (prefix: string) => {
    const client = conn();
    const queue = new RedisNotificationQueue({ connection: client, queueName: freshQueueName() });
    onClose(() => queue.close());
    return { client, queue, log: new TransitionLog(client, { prefix }) };
  };
  const withSnapshot = (job: ReturnType<typeof makeJob>) => ({
    ...job.transition,
    snapshot: { metadata: { name: "r" } },
  });
  /** As after a fail-over to a server that has the record script but not the enqueue script. */
  const loseEnqueueScript = async (client: ReturnType<typeof conn>, log: TransitionLog) => {
    const recordScript = log.recordCall([withSnapshot(makeJob({ rollout: "script" }))])!.script;
    await client.script("FLUSH");
    await client.script("LOAD", recordScript.source);
  };

  it("runs the follow-up after the records when the server knows it but lost the enqueue script (by SHA, NOSCRIPT)", async () => {
    const { client, queue, log } = queueWithLog("fq4");
    const warm = makeJob({ rollout: "warm-up" });
    const t = withSnapshot;
    await queue.enqueue([warm], log.recordCall([t(warm)]));
    await loseEnqueueScript(client, log);
    const job = makeJob({ rollout: "f4" });
    const state = { key: "fq4:objstate", field: "f4", value: "s1" };
    const result = await queue.enqueue([job], log.recordCall([t(job)], state));
    expect(result.enqueued).toEqual([job.jobId]);
    // the record ran once, after the job existed: the first round trip's call (NOSCRIPT before it) changed nothing
    expect(log.freshOf([t(job)], result.followUp?.reply).map((x) => x.id)).toEqual([job.transition.id]);
    expect((await log.list()).filter((r) => r.transition.id === job.transition.id)).toHaveLength(1);
    expect(await client.hget("fq4:objstate", "f4")).toBe("s1");
    expect(await client.zscore(queue.store.readyKey, job.jobId)).not.toBeNull();
  });

  it("a repeated enqueue whose records exist: the follow-up's reply is from the round trip it ran in (NOSCRIPT)", async () => {
    const { client, queue, log } = queueWithLog("fq6");
    const job = makeJob({ rollout: "f6" });
    const t = withSnapshot(job);
    await queue.enqueue([job]); // enqueued before, its transition not recorded yet
    await loseEnqueueScript(client, log);
    const again = await queue.enqueue([job], log.recordCall([t]));
    expect(again.duplicates).toEqual([job.jobId]);
    // recorded in the first round trip (the record existed), a no-op in the resend: reported as recorded now, once
    expect(log.freshOf([t], again.followUp?.reply).map((x) => x.id)).toEqual([t.id]);
    expect((await log.list()).filter((r) => r.transition.id === t.id)).toHaveLength(1);
  });

  it("a follow-up made requiring records that do not exist changes nothing and answers an error", async () => {
    const client = conn();
    const log = new TransitionLog(client, { prefix: "fq5" });
    const job = makeJob({ rollout: "f5" });
    const call = log
      .recordCall([{ ...job.transition, snapshot: { metadata: { name: "r" } } }], {
        key: "fq5:objstate",
        field: "f5",
        value: "s",
      })!
      .requiring(["fq5:job:missing"]);
    await expect(call.script.run(client, call.keys, call.args)).rejects.toThrow(
      /NOTENQUEUED a record this call follows is missing: fq5:job:missing/,
    );
    expect(await log.list()).toEqual([]);
    expect(await client.exists("fq5:objstate")).toBe(0);
    await client.set("fq5:job:missing", "1");
    expect(await call.script.run(client, call.keys, call.args)).toEqual([1]);
    expect(await client.hget("fq5:objstate", "f5")).toBe("s");
  });
});

describe("order per key", () => {
  it("keeps enqueue order per key with 2 workers × concurrency 4 while the first job retries; other keys run", async () => {
    const { queue, start } = setup();
    const sinkA = new FakeSink("webhook", "A");
    const sinkB = new FakeSink("webhook", "B");
    // more keys than one worker's slots: both workers take heads (a worker with free slots takes every due one)
    const keys = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"];
    const jobs = keys.flatMap((k) =>
      [
        "on-rollout-updated",
        "on-rollout-step-completed",
        "on-rollout-paused",
        "on-rollout-aborted",
        "on-rollout-completed",
      ].map((trigger, i) => makeJob({ rollout: k, trigger, n: i })),
    );
    const blocked = jobs[0]!; // k1's first job fails until released
    let released = false;
    const plan = (jobId: string, attempt: number) =>
      jobId === blocked.jobId && (!released || attempt < 3) ? transient() : undefined;
    sinkA.plan = plan;
    sinkB.plan = plan;
    // Both share the per-job attempt count for the plan: count attempts across both fake sinks.
    const attempts = new Map<string, number>();
    for (const s of [sinkA, sinkB]) {
      s.plan = (jobId) => {
        const n = (attempts.get(jobId) ?? 0) + 1;
        attempts.set(jobId, n);
        return plan(jobId, n);
      };
    }
    await start(sinkA, { retry: { ...FAST_RETRY, maxAttempts: 1000 } });
    await start(sinkB, { retry: { ...FAST_RETRY, maxAttempts: 1000 } });
    await queue.enqueue(jobs);

    const others = jobs.filter((j) => !j.orderingKey.startsWith("k1"));
    await queue.waitUntilSettled(others.map((j) => j.jobId));
    const all = () => [...sinkA.calls, ...sinkB.calls].sort((a, b) => a.at - b.at);
    expect(all().filter((c) => c.ok && c.jobId.startsWith("k1"))).toEqual([]); // k1 held back by its head
    // the other keys may all finish before the head's first backoff ends: its retry comes, and k1 stays held
    await eventually(async () => (attempts.get(blocked.jobId) ?? 0) >= 2, "the blocked head retried");
    expect(all().filter((c) => c.ok && c.jobId.startsWith("k1"))).toEqual([]);
    released = true;
    await queue.waitUntilSettled(jobs.map((j) => j.jobId));

    for (const k of keys) {
      const expected = jobs.filter((j) => j.orderingKey.startsWith(`${k}/`)).map((j) => j.jobId);
      const got = all()
        .filter((c) => c.ok && c.jobId.startsWith(`${k}%3A`))
        .map((c) => c.jobId);
      expect(got).toEqual(expected);
    }
    expect(new Set(all().map((c) => c.worker)).size).toBe(2); // both workers took part
  });
  it("wakes each job when the one before it settles (no polling: an idle worker looks every 5 s)", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    const jobs = Array.from({ length: 12 }, (_, n) => makeJob({ rollout: `w${n % 2}`, n }));
    sink.plan = (id, attempt) => (id === jobs[0]!.jobId && attempt <= 2 ? transient() : undefined);
    await start(sink, { stalledIntervalMs: 60_000 });
    await start(sink, { stalledIntervalMs: 60_000 });
    await queue.enqueue(jobs);
    const report = await queue.waitUntilSettled(
      jobs.map((j) => j.jobId),
      { timeoutMs: 20_000 },
    );
    expect(report.delivered).toHaveLength(12);
    for (const k of ["w0", "w1"]) {
      expect(
        sink
          .delivered()
          .filter((c) => c.jobId.startsWith(`${k}%3A`))
          .map((c) => c.jobId),
      ).toEqual(jobs.filter((j) => j.orderingKey.startsWith(`${k}/`)).map((j) => j.jobId));
    }
  });
});

describe("retries and dead letters", () => {
  it("dead-letters a permanent failure at once, with its reason, and the next job of the key proceeds", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    const dead: string[] = [];
    const hooks: DeliveryHooks = { onDeadLettered: (e) => dead.push(`${e.service}:${e.reason.code}`) };
    const bad = makeJob({ rollout: "p1", trigger: "on-rollout-updated" });
    const next = makeJob({ rollout: "p1", trigger: "on-rollout-aborted" });
    sink.plan = (id) => (id === bad.jobId ? permanent("http-400", "invalid_blocks") : undefined);
    await start(sink, { hooks });
    await queue.enqueue([bad, next]);
    const report = await queue.waitUntilSettled([bad.jobId, next.jobId]);
    expect(report).toEqual({ delivered: [next.jobId], deadLettered: [bad.jobId], unknown: [] });
    expect(sink.attemptsByJob.get(bad.jobId)).toBe(1);
    const letters = await queue.listDeadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      id: bad.jobId,
      attempts: 1,
      reason: { code: "http-400", message: "invalid_blocks", transient: false },
      job: { jobId: bad.jobId, notification: bad.notification },
    });
    expect(letters[0]!.deadLetteredAt).toBeGreaterThanOrEqual(letters[0]!.enqueuedAt);
    expect(dead).toEqual(["hook:http-400"]);
  });

  it("dead-letters a transient failure after maxAttempts, never leaking the service's secrets", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    sink.plan = () => new Error("connect to https://hooks.example.com/T000/B000/secretpath failed");
    const retried: number[] = [];
    await start(sink, {
      retry: { ...FAST_RETRY, maxAttempts: 3 },
      hooks: { onRetried: (e) => retried.push(e.attempt) },
    });
    const job = makeJob({ rollout: "t1" });
    await queue.enqueue([job]);
    expect(await queue.waitUntilSettled([job.jobId])).toMatchObject({ deadLettered: [job.jobId] });
    expect(sink.attemptsByJob.get(job.jobId)).toBe(3);
    expect(retried).toEqual([1, 2]);
    const [letter] = await queue.listDeadLetters();
    expect(letter).toMatchObject({ attempts: 3, reason: { code: "unexpected", transient: true } });
    expect(letter!.reason.message).toBe("connect to [redacted] failed");
    expect(JSON.stringify(await kit.redis.client().hgetall(queue.store.dlqKey))).not.toContain("secretpath");
  });

  it("waits at least Retry-After before the next attempt", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    sink.plan = (_id, attempt) => (attempt === 1 ? transient("http-429", 400) : undefined);
    await start(sink, { retry: { ...FAST_RETRY, baseDelayMs: 1, maxDelayMs: 1 } });
    const job = makeJob({ rollout: "ra" });
    await queue.enqueue([job]);
    await queue.waitUntilSettled([job.jobId]);
    expect(sink.calls.map((c) => c.ok)).toEqual([false, true]);
    expect(sink.calls[1]!.at - sink.calls[0]!.at).toBeGreaterThanOrEqual(400);
  });
});

describe("per-destination rate limit", () => {
  it("spaces sends to one channel without delaying another channel", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink("slack");
    await start(sink, {
      rateLimitFor: (_s, d) => (d.recipient === "busy" ? { perSecond: 10, burst: 1 } : undefined),
    });
    const busy = [1, 2, 3, 4, 5, 6].map((n) =>
      makeJob({ rollout: `r${n}`, destination: { service: "slack", recipient: "busy" } }),
    );
    const quiet = [1, 2, 3, 4].map((n) =>
      makeJob({ rollout: `r${n}`, destination: { service: "slack", recipient: "quiet" } }),
    );
    const t0 = Date.now();
    await queue.enqueue([...busy, ...quiet]);
    await queue.waitUntilSettled([...busy, ...quiet].map((j) => j.jobId));
    const times = sink.calls
      .filter((c) => c.recipient === "busy")
      .map((c) => c.at)
      .sort((a, b) => a - b);
    // One per 100 ms, no burst: the i-th send (0-based) cannot happen before t0 + i * 100.
    expect(times).toHaveLength(6);
    for (const [i, t] of times.entries()) expect(t - t0).toBeGreaterThanOrEqual(i * 100);
    const lastQuiet = Math.max(...sink.calls.filter((c) => c.recipient === "quiet").map((c) => c.at));
    expect(lastQuiet).toBeLessThan(times[times.length - 1]!); // the quiet channel did not queue behind the busy one
  });
});

describe("the worker's blocking connection", () => {
  it("is replaced when it stops answering (half-open), so jobs enqueued meanwhile are still taken", async () => {
    // the worker's connections go through a proxy that freezes the one that sends BZPOPMIN: no answer ever
    // comes back, no FIN or RST either (what a vanished peer or a dropped firewall flow looks like)
    const proxy = await startFreezingProxy(kit.redis.port);
    onClose(() => proxy.close());
    const viaProxy = createRedisConnection(proxy.url());
    viaProxy.on("error", () => {});
    onClose(async () => viaProxy.disconnect());
    const { queue, start } = setup();
    const sink = new FakeSink();
    const { logger, lines } = captureLogs();
    const frozen = proxy.freezeNextSending("bzpopmin");
    // an idle worker blocks for at most 0.5 s at a time (stalledIntervalMs bounds its wait)
    await start(sink, { connection: viaProxy, stalledIntervalMs: 500, logger });
    await frozen;
    const job = makeJob({ rollout: "half-open" });
    await queue.enqueue([job]);
    expect(await queue.waitUntilSettled([job.jobId], { timeoutMs: 10_000 })).toMatchObject({
      delivered: [job.jobId],
    });
    expect(proxy.frozen).toBe(1);
    expect(lines.join("")).toContain("the blocking Redis connection did not answer");
  });
});

describe("worker lifecycle and metrics", () => {
  it("close() lets a delivery in flight finish and settle", async () => {
    const { queue, start } = setup();
    const sink = new FakeSink();
    let release: (() => void) | undefined;
    sink.plan = () =>
      new Promise<void>((r) => {
        release = r;
      });
    const w = await start(sink);
    const job = makeJob({ rollout: "gc" });
    await queue.enqueue([job]);
    await eventually(() => release !== undefined, "delivery started");
    let closed = false;
    const closing = w.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release!();
    await closing;
    expect(await queue.waitUntilSettled([job.jobId], { timeoutMs: 5_000 })).toMatchObject({
      delivered: [job.jobId],
    });
  });

  it("feeds the Prometheus metrics and reports depth", async () => {
    const { queue, start } = setup();
    const m = createMetrics();
    const sink = new FakeSink();
    const ok = makeJob({ rollout: "m-ok" });
    const bad = makeJob({ rollout: "m-bad" });
    sink.plan = (id, attempt) => (id !== bad.jobId ? undefined : attempt === 1 ? transient() : permanent());
    await start(sink, { hooks: metricsDeliveryHooks(m) });
    await queue.enqueue([ok, bad]);
    await queue.waitUntilSettled([ok.jobId, bad.jobId]);
    // (the hooks run once the worker has the settle's reply, which may come after the states read above)
    await eventually(async () => {
      const t = await m.registry.metrics();
      return (
        t.includes('rollouts_notifier_notifications_delivered_total{service="hook"} 1') &&
        t.includes('rollouts_notifier_notifications_dead_lettered_total{service="hook"} 1')
      );
    }, "the settles' hooks");
    const text = await m.registry.metrics();
    expect(text).toContain('rollouts_notifier_notifications_delivered_total{service="hook"} 1');
    expect(text).toContain(
      'rollouts_notifier_notifications_failed_total{service="hook",reason="http_5xx"} 1',
    );
    expect(text).toContain(
      'rollouts_notifier_notifications_failed_total{service="hook",reason="http_4xx"} 1',
    );
    expect(text).toContain('rollouts_notifier_notifications_retried_total{service="hook"} 1');
    expect(text).toContain('rollouts_notifier_notifications_dead_lettered_total{service="hook"} 1');
    expect(text).toContain('rollouts_notifier_delivery_latency_seconds_count{service="hook"} 1');
    expect(await queue.depth()).toEqual({
      waiting: 0,
      delayed: 0,
      active: 0,
      deadLetters: 1,
      oldestAgeMs: 0,
    });
  });
});
