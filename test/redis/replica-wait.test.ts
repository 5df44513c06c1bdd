// Writes that must outlive a Sentinel primary's crash: WAIT in the same round trip; a round trip the crash cut
// fails, and the caller sends the writes again, to the promoted replica.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisQueueStore } from "../../src/queue/redis-queue-store.ts";
import { watchKeys } from "../../src/redis/keys.ts";
import { REPLICA_DOWN_AFTER_MS, REPLICA_WAIT_MS, ReplicaWait } from "../../src/redis/replica-wait.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { ObjectStateStore } from "../../src/watch/object-state-store.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { makeJob } from "../queue/queue-test-kit.ts";
import { type SentinelSet, startSentinelSet } from "../support/redis-server.ts";

describe("ReplicaWait.write", () => {
  /** A send whose WAITs answer `replies` in turn; `sent` lists each run's WAIT bound (undefined: no WAIT). */
  const sender = (replies: number[]) => {
    const sent: (number | undefined)[] = [];
    let answered = 0;
    return {
      sent,
      send: async (waitMs: number | undefined) => {
        sent.push(waitMs);
        return {
          result: `run ${sent.length}`,
          replicas: waitMs === undefined ? undefined : replies[answered++],
        };
      },
    };
  };

  it("sends the writes with a WAIT through Sentinel, without one elsewhere", async () => {
    const w = new ReplicaWait(true);
    const ok = sender([1]);
    expect(await w.write(ok.send)).toBe("run 1");
    expect(ok.sent).toEqual([REPLICA_WAIT_MS]);
    expect(w.confirming).toBe(true);
    const off = sender([]);
    expect(await new ReplicaWait(false).write(off.send)).toBe("run 1");
    expect(off.sent).toEqual([undefined]);
  });

  it("a replica down for REPLICA_DOWN_AFTER_MS: one write a second carries a WAIT, until one confirms", async () => {
    let now = 1_000_000;
    const w = new ReplicaWait(true, { now: () => now });
    const lagging = sender([0]);
    expect(await w.write(lagging.send)).toBe("run 1");
    expect(w.confirming).toBe(false);
    now += REPLICA_DOWN_AFTER_MS - 1;
    const stillWaiting = sender([0]);
    await w.write(stillWaiting.send);
    expect(stillWaiting.sent).toEqual([REPLICA_WAIT_MS]);
    now += 1;
    const probe = sender([0]);
    await w.write(probe.send);
    expect(probe.sent).toEqual([REPLICA_WAIT_MS]);
    now += 999;
    const unwaited = sender([]);
    expect(await w.write(unwaited.send)).toBe("run 1");
    expect(unwaited.sent).toEqual([undefined]);
    now += 1;
    const back = sender([1]);
    await w.write(back.send);
    expect(back.sent).toEqual([REPLICA_WAIT_MS]);
    expect(w.confirming).toBe(true);
    const waited = sender([1]);
    await w.write(waited.send);
    expect(waited.sent).toEqual([REPLICA_WAIT_MS]);
  });

  it("a failed round trip fails the write (the caller sends it again)", async () => {
    const w = new ReplicaWait(true);
    await expect(
      w.write(async () => {
        throw new Error("Command aborted due to connection close");
      }),
    ).rejects.toThrow("aborted");
  });
});

describe("ReplicaWait.confirm (a write that must be on a replica before the caller goes on)", () => {
  it("waits its own bound also while the replica is down, and shares what it learns with the client's writes", async () => {
    let now = 1_000_000;
    const w = new ReplicaWait(true, { now: () => now });
    const bounds: (number | undefined)[] = [];
    const answering = (replicas: number) => async (waitMs: number | undefined) => {
      bounds.push(waitMs);
      return replicas;
    };
    expect(await w.confirm(answering(1), 1_000)).toEqual({ replicated: true, unconfirmedForMs: 0 });
    expect(await w.confirm(answering(0), 1_000)).toEqual({ replicated: false, unconfirmedForMs: 0 });
    now += REPLICA_DOWN_AFTER_MS + 5_000; // long past the point where write() only probes
    expect(await w.confirm(answering(0), 1_000)).toEqual({
      replicated: false,
      unconfirmedForMs: REPLICA_DOWN_AFTER_MS + 5_000,
    });
    expect(bounds).toEqual([1_000, 1_000, 1_000]);
    // the client's other writes saw no confirmation either: they only probe now
    const sent: (number | undefined)[] = [];
    const write = async (waitMs: number | undefined) => {
      sent.push(waitMs);
      return { result: "ok", replicas: waitMs === undefined ? undefined : 1 };
    };
    await w.write(write); // the probe, confirmed
    expect(sent).toEqual([REPLICA_WAIT_MS]);
    expect(await w.confirm(answering(1), 1_000)).toEqual({ replicated: true, unconfirmedForMs: 0 });
    // without a fail-over replica: no WAIT, replicated
    const off: (number | undefined)[] = [];
    expect(
      await new ReplicaWait(false).confirm(async (waitMs) => {
        off.push(waitMs);
        return undefined;
      }, 1_000),
    ).toEqual({ replicated: true, unconfirmedForMs: 0 });
    expect(off).toEqual([undefined]);
  });
});

describe("writes acknowledged by a primary that died before streaming them (real Sentinel set)", () => {
  let set: SentinelSet;
  beforeAll(async () => {
    set = await startSentinelSet();
  }, 60_000);
  afterAll(() => set?.stop());

  it("the saved state, the transition record and the enqueued job are on the promoted replica", {
    timeout: 90_000,
  }, async () => {
    // a client each (a WAIT holds its connection), with WAITs long enough to kill the primary while they wait
    const client = () => {
      const c = set.client();
      ReplicaWait.configure(c, { timeoutMs: 3_000 });
      return c;
    };
    const stateClient = client();
    const states = new ObjectStateStore(stateClient, "rw");
    const log = new TransitionLog(client(), { prefix: "rw" });
    const queue = new RedisQueueStore(client(), { queueName: "rw" });
    const ref = { kind: "Rollout", namespace: "ns", name: "r" };
    const transition = (uid: string): Transition => ({
      id: `${uid}/on-rollout-updated/r1`,
      trigger: "on-rollout-updated",
      object: { ...ref, uid },
      revision: "1",
      snapshot: { metadata: { name: "r" } },
    });
    await set.replicaInSync();
    // a replica confirms: WAITs are answered (and the primary knows the scripts)
    await states.save("u0", ref, '{"n":0}');
    await log.record([transition("u0")]);
    await queue.enqueue([makeJob({ rollout: "u0" })], Date.now());
    expect(ReplicaWait.of(stateClient).confirming).toBe(true);

    const [primary, replica] = [set.nodes[0]!, set.nodes[1]!];
    expect(await set.primaryPort()).toBe(primary.port);
    // the replica stops reading and its link is cut: the primary acknowledges writes it cannot stream
    replica.freeze();
    const direct = primary.client();
    await direct.call("CLIENT", "KILL", "TYPE", "replica");
    const job = makeJob({ rollout: "u3" });
    // as the watcher does: a write that failed is sent again until it succeeds
    const retrying = async <T>(op: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await op();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const writes = Promise.all([
      retrying(() => states.save("u1", ref, '{"n":1}')),
      retrying(() => log.record([transition("u2")], states.saveWrite("u2", ref, '{"n":2}'))),
      retrying(() => queue.enqueue([job], Date.now())),
    ]);
    const stateKey = states.saveWrite("u1", ref, "").key;
    for (;;) {
      const acked = await Promise.all([
        direct.hexists(stateKey, "u1"),
        direct.hexists(stateKey, "u2"),
        direct.exists(queue.jobKey(job.jobId)),
      ]);
      if (acked.every((n) => n === 1)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // the primary dies with the writes acknowledged and never streamed; the replica is promoted
    await primary.kill();
    replica.thaw();
    for (;;) {
      if ((await set.primaryPort().catch(() => primary.port)) === replica.port) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await writes;
    const promoted = replica.client();
    const saved = async (uid: string) => JSON.parse((await promoted.hget(stateKey, uid)) ?? "{}").state;
    expect(await saved("u1")).toEqual({ n: 1 });
    expect(await saved("u2")).toEqual({ n: 2 });
    expect(
      await promoted.exists(watchKeys.transition("rw", "u2/on-rollout-updated/r1"), queue.jobKey(job.jobId)),
    ).toBe(2);
  });
});
