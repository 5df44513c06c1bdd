// The watcher against the Kubernetes API test server and a private Redis: the right transitions, exactly once,
// through watch drops, 410s, restarts and baselines.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HISTORIES } from "../replay/expected-histories.ts";
import { applyStep, type HistoryStep, readHistory, renameHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { eventually, recordedTriggers, startWatcher, type WatcherUnderTest } from "./watcher-harness.ts";

const CANARY = readHistory("examples/histories/canary-abort-retry.yaml");
const CANARY_TRIGGERS = HISTORIES["canary-abort-retry.yaml"]!;
const ANALYSIS = readHistory("examples/histories/canary-analysis-failure.yaml");
const ANALYSIS_TRIGGERS = HISTORIES["canary-analysis-failure.yaml"]!;

/** Opt-in scaling transitions are detected and recorded too; the sequences above leave them out. */
const withoutOptIn = (triggers: string[]) => triggers.filter((t) => t !== "on-scaling-replica-set");

async function play(
  api: KubeApiServer,
  steps: HistoryStep[],
  w: WatcherUnderTest,
  between?: (i: number) => void,
) {
  for (const [i, step] of steps.entries()) {
    const written = applyStep(api, step);
    between?.(i);
    // let the watcher see each snapshot, as it sees each controller write in a cluster
    if (written) {
      const key = `${written.kind}/${written.metadata.namespace}/${written.metadata.name}`;
      const rv = Number(written.metadata.resourceVersion);
      await eventually(() => (w.handledRv.get(key) ?? 0) >= rv, 10_000, `watcher to handle ${key}@${rv}`);
    }
  }
  await w.watcher.idle();
}

describe("TransitionWatcher", () => {
  let redis: RedisHarness;
  let api: KubeApiServer;
  let w: WatcherUnderTest | undefined;
  let prefixN = 0;
  const prefix = () => `t${++prefixN}`;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());
  afterEach(async () => {
    w?.stop();
    w = undefined;
    await api?.stop();
  });

  it("emits a scripted canary's transitions in order, once", async () => {
    api = await startKubeApiServer();
    w = startWatcher(api, redis, { prefix: prefix() });
    await w.watcher.start();
    await play(api, CANARY, w);
    await eventually(
      async () => withoutOptIn(await recordedTriggers(w!.log)).length >= CANARY_TRIGGERS.length,
    );
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(CANARY_TRIGGERS);
    const ids = (await w.log.list()).map((r) => r.transition.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("routes AnalysisRun transitions to their Rollout and keeps the family in order", async () => {
    api = await startKubeApiServer();
    // the history starts from a Rollout that existed before watching (a baseline)
    applyStep(api, ANALYSIS[0]!);
    w = startWatcher(api, redis, { prefix: prefix() });
    await w.watcher.start();
    await play(api, ANALYSIS.slice(1), w);
    await eventually(
      async () => withoutOptIn(await recordedTriggers(w!.log)).length >= ANALYSIS_TRIGGERS.length,
    );
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(ANALYSIS_TRIGGERS);
    const runs = (await w.log.list()).filter((r) => r.transition.object.kind === "AnalysisRun");
    expect(runs.every((r) => r.transition.rollout?.name === ANALYSIS[0]!.object.metadata.name)).toBe(true);
  });

  it("loses and doubles nothing when every watch is dropped or expired (410) mid-rollout", async () => {
    api = await startKubeApiServer({ bookmarkIntervalMs: 200 });
    w = startWatcher(api, redis, { prefix: prefix() });
    await w.watcher.start();
    await play(api, CANARY, w, (i) => {
      if (i % 3 === 0) api.faults.dropWatches({ abrupt: i % 2 === 0 });
      if (i % 4 === 1) {
        api.faults.expireNextWatches(2);
        api.faults.dropWatches();
      }
      if (i === 7) api.faults.compact();
    });
    await eventually(
      async () => withoutOptIn(await recordedTriggers(w!.log)).length >= CANARY_TRIGGERS.length,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    await w.watcher.idle();
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(CANARY_TRIGGERS);
    // re-detections after relists are possible, but each transition is recorded once
    const ids = (await w.log.list()).map((r) => r.transition.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("treats 1,000 Rollouts in 100 namespaces present at first start as a baseline: zero transitions", async () => {
    api = await startKubeApiServer({ namespaces: [] });
    const completed = CANARY[CANARY.length - 1]!.object;
    for (let n = 0; n < 100; n++) {
      for (let r = 0; r < 10; r++) {
        const [step] = renameHistory([{ type: "MODIFIED", object: completed }], `n${n}r${r}`, `ns-${n}`);
        applyStep(api, step!);
      }
    }
    w = startWatcher(api, redis, { prefix: prefix() });
    await w.watcher.start();
    await w.watcher.idle();
    expect(w.handedOff).toEqual([]);
    expect(await w.log.list()).toEqual([]);
  });

  it("emits changes made while it was stopped exactly once after restart", async () => {
    api = await startKubeApiServer();
    const p = prefix();
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    const half = 9; // through the abort/retry part of the history
    await play(api, CANARY.slice(0, half), w);
    const before = withoutOptIn(await recordedTriggers(w.log));
    w.stop();
    // one controller write while the service is down (the next snapshot), then restart
    applyStep(api, CANARY[half]!);
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    await play(api, CANARY.slice(half + 1), w);
    await eventually(
      async () => withoutOptIn(await recordedTriggers(w!.log)).length >= CANARY_TRIGGERS.length,
    );
    expect(before.length).toBeLessThan(CANARY_TRIGGERS.length);
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(CANARY_TRIGGERS);
    const ids = (await w.log.list()).map((r) => r.transition.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("several writes while stopped: what the restart sees is detected once; a step completion and the promotion after it, seen as one change, read as promote --full", async () => {
    // The deterministic form of a watcher that falls behind (or is down) across several controller writes.
    // Seen together, [19] step 2 completed and [21] promoted look exactly like `promote --full` (the
    // bound in src/triggers/identity.ts): the resume and the completion are emitted, once; step 2 is not.
    api = await startKubeApiServer();
    const p = prefix();
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    const pausedAt = 18; // [18] pause step starts again
    await play(api, CANARY.slice(0, pausedAt), w);
    w.stop();
    for (const step of CANARY.slice(pausedAt, 21)) applyStep(api, step); // [19] step done, [20], [21] promoted
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    await play(api, CANARY.slice(21), w);
    const lastStepCompleted = CANARY_TRIGGERS.lastIndexOf("on-rollout-step-completed");
    const visible = CANARY_TRIGGERS.filter((_, i) => i !== lastStepCompleted);
    await eventually(async () => withoutOptIn(await recordedTriggers(w!.log)).length >= visible.length);
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(visible);
    const ids = (await w.log.list()).map((r) => r.transition.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("a saved state that cannot be read is a baseline after restart: nothing re-sent, detection resumes", async () => {
    api = await startKubeApiServer();
    const p = prefix();
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    await play(api, CANARY.slice(0, 6), w);
    const before = withoutOptIn(await recordedTriggers(w.log));
    expect(before.length).toBeGreaterThan(0);
    w.stop();
    const c = redis.client();
    const uid = CANARY[0]!.object.metadata.uid!;
    await c.hset(`${p}:objstate`, uid, "{not json");
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    expect(withoutOptIn(await recordedTriggers(w.log))).toEqual(before);
    const rewritten = JSON.parse((await c.hget(`${p}:objstate`, uid))!) as { kind: string; name: string };
    expect(rewritten).toMatchObject({ kind: "Rollout", name: CANARY[0]!.object.metadata.name });
    await play(api, CANARY.slice(6), w);
    await eventually(async () => withoutOptIn(await recordedTriggers(w!.log)).length > before.length);
  });

  it("forgets the state of objects deleted while it was stopped", async () => {
    api = await startKubeApiServer();
    const p = prefix();
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    await play(api, CANARY.slice(0, 4), w);
    w.stop();
    const obj = CANARY[0]!.object;
    api.objects.delete({ kind: "Rollout", namespace: obj.metadata.namespace, name: obj.metadata.name });
    w = startWatcher(api, redis, { prefix: p });
    await w.watcher.start();
    const c = redis.client();
    expect(await c.hlen(`${p}:objstate`)).toBe(0);
  });
});
