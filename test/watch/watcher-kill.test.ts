// kill -9 of `rollouts-notifier run` at random moments while Rollouts progress: every transition is
// emitted (recorded in the transition log) exactly once, in order. (Writes made while the service is down are
// covered in transition-watcher.test.ts; here the kill lands anywhere in the handling of a write.) KILL_RUNS (default 25; raise it for a soak) runs, each a fresh
// Rollout playing the canary abort/retry history with the process killed at a random point; KILL_SEED replays.
//
// Before the write that the kill follows, the process is let catch up with every earlier write (its saved
// states match them). Without that, a process that falls behind on a loaded machine is killed several writes
// back, and the restart sees those writes as one change — "writes made while down", where a step completion
// and the promotion after it read as `promote --full` and the step completion cannot be seen (the bound in
// src/triggers/identity.ts, asserted in transition-watcher.test.ts). The kill still lands at a random moment
// in the handling of its write, the hand-off and the state save included.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { ObjectDetectionState } from "../../src/triggers/object-transitions.ts";
import { extractRolloutState } from "../../src/triggers/rollout-state.ts";
import { ObjectStateStore } from "../../src/watch/object-state-store.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { HISTORIES } from "../replay/expected-histories.ts";
import { applyStep, readHistory, renameHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type NotifierProcess, startNotifierProcess } from "../support/notifier-process.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { seededRandom, seedFromEnv } from "../support/seeded-random.ts";

const RUNS = Number(process.env.KILL_RUNS ?? 25);
const CANARY = readHistory("examples/histories/canary-abort-retry.yaml");
const EXPECTED = HISTORIES["canary-abort-retry.yaml"]!;

describe("watcher under kill -9", () => {
  let redis: RedisHarness;
  let api: KubeApiServer;
  let child: NotifierProcess | undefined;
  const children: NotifierProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    api = await startKubeApiServer({
      namespaces: ["default", "argo-rollouts", "demo"],
      bookmarkIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await child?.kill9();
    await api.stop();
    await redis.stop();
  });

  const start = async () => {
    child = startNotifierProcess(
      [
        "run",
        "--kubeconfig",
        api.kubeconfigPath,
        "--redis-url",
        redis.url,
        "--http-port",
        "0",
        "--namespace",
        "argo-rollouts",
      ],
      // a container restarted after a crash keeps its pod name, so it takes its own Lease back at once
      { POD_NAME: "rollouts-notifier-0" },
    );
    children.push(child);
    // a start is slow on a loaded machine (seconds just to load the code): it is not what this test measures
    await child.waitForLog((l) => l.msg === "informers synced", 120_000);
    return child;
  };

  /** What of a saved Rollout state is read off its snapshot alone (counters kept across snapshots left out). */
  const snapshotPart = (state: unknown) => {
    const { run: _run, specPauses: _p, scalingChanges: _s, ...rest } = state as Record<string, unknown>;
    return JSON.stringify(rest);
  };

  /** Waits until the running process has handled every write so far: its saved states match the last writes. */
  const caughtUp = async (store: ObjectStateStore, lastWritten: Map<string, KubeObject>) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const saved = await store.loadAll();
      const behind = [...lastWritten].filter(
        ([uid, obj]) =>
          saved.get(uid) === undefined ||
          snapshotPart((saved.get(uid)!.state as ObjectDetectionState).builtin) !==
            snapshotPart(extractRolloutState(obj)),
      );
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `the process never caught up with ${behind.map(([, o]) => o.metadata.name).join(", ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it(`emits every transition exactly once across ${RUNS} random kills`, {
    timeout: 60_000 + RUNS * 30_000,
  }, async () => {
    const seed = seedFromEnv("KILL_SEED");
    const random = seededRandom(seed);
    await start();
    const stateClient = new Redis(redis.port, "127.0.0.1");
    const store = new ObjectStateStore(stateClient);
    const lastWritten = new Map<string, KubeObject>();
    for (let run = 0; run < RUNS; run++) {
      const steps = renameHistory(CANARY, `k${run}`);
      const killAt = Math.floor(random() * steps.length);
      const killDelayMs = Math.floor(random() * 40);
      for (const [i, step] of steps.entries()) {
        if (i === killAt) await caughtUp(store, lastWritten);
        const written = applyStep(api, step);
        if (written?.metadata.uid) lastWritten.set(written.metadata.uid, written);
        if (i === killAt) {
          // kill somewhere inside the handling of this write: before, during or after hand-off/state save
          await new Promise((r) => setTimeout(r, killDelayMs));
          await child!.kill9();
          await start();
        }
        await new Promise((r) => setTimeout(r, 8));
      }
    }
    // let the last process catch up, then read what was emitted
    const client = new Redis(redis.port, "127.0.0.1");
    const log = new TransitionLog(client);
    const byRollout = new Map<string, string[]>();
    const deadline = Date.now() + 20_000;
    for (;;) {
      byRollout.clear();
      for (const r of await log.list(100_000)) {
        const name = (r.transition.rollout ?? r.transition.object).name;
        if (r.transition.trigger === "on-scaling-replica-set") continue;
        byRollout.set(name, [...(byRollout.get(name) ?? []), r.transition.trigger]);
      }
      const done = [...byRollout.values()].filter((t) => t.length >= EXPECTED.length).length;
      if (done >= RUNS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = (await log.list(100_000)).map((r) => r.transition.id);
    client.disconnect();
    stateClient.disconnect();
    expect(new Set(ids).size, `duplicate transition ids (seed ${seed})`).toBe(ids.length);
    // each process logs the transitions it emitted as JSON; across all of them no transition is logged twice
    const logged = children.flatMap((c) =>
      c.logs.filter((l) => l.msg === "transition").map((l) => (l.transition as { id: string }).id),
    );
    expect(new Set(logged).size, `a transition was logged twice (seed ${seed})`).toBe(logged.length);
    for (let run = 0; run < RUNS; run++) {
      const name = `${CANARY[0]!.object.metadata.name}-k${run}`;
      expect(byRollout.get(name), `run ${run} (seed ${seed})`).toEqual(EXPECTED);
    }
  });
});
