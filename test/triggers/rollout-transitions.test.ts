import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import {
  extractRolloutState,
  parseRolloutState,
  type RolloutState,
} from "../../src/triggers/rollout-state.ts";
import { detectRolloutTransitions } from "../../src/triggers/rollout-transitions.ts";
import { readHistory } from "../support/history-player.ts";
import { edit, loadFixture } from "./load-fixture.ts";

const ROLLOUT_FIXTURES = [
  "rollout-aborted/rollout.yaml",
  "canary/canary-rollout.yaml",
  "canary/canary-rollout2.yaml",
  "canary/canary-rollout3.yaml",
  "canary/canary-rollout4.yaml",
  "canary/canary-rollout5.yaml",
  "canary/canary-rollout6.yaml",
  "blue-green/bluegreen-rollout.yaml",
  "experiment-analysis/rollout-experiment-analysis.yaml",
  "experiment-step/canary-demo.yaml",
  "rollout-invalid/rollout-invalid.yaml",
];

const triggersOf = (r: { transitions: { trigger: string }[] }) => r.transitions.map((t) => t.trigger);

/** Detects prev → current, with prev taken as the state after seeing `prevObj` as a baseline. */
function detectFrom(prevObj: KubeObject, current: KubeObject) {
  return detectRolloutTransitions(extractRolloutState(prevObj), current, { baseline: false });
}

describe("Rollout fixtures as baselines", () => {
  it.each(ROLLOUT_FIXTURES)("%s: no transitions, state recorded", (path) => {
    const obj = loadFixture(path);
    const { transitions, state } = detectRolloutTransitions(undefined, obj, { baseline: true });
    expect(transitions).toEqual([]);
    expect(state.revision).toBe(obj.metadata.annotations?.["rollout.argoproj.io/revision"]);
    expect(state.podHash).toBe(obj.status?.currentPodHash);
    expect(state.stableRS).toBe(obj.status?.stableRS);
    expect(state.aborted).toBe(obj.status?.abort === true);
    // JSON-serializable: what the watcher saves in Redis reads back the same
    expect(parseRolloutState(JSON.parse(JSON.stringify(state)))).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it.each(ROLLOUT_FIXTURES)("%s: the same snapshot again fires nothing", (path) => {
    const obj = loadFixture(path);
    const first = detectRolloutTransitions(undefined, obj, { baseline: true });
    expect(detectRolloutTransitions(first.state, obj, { baseline: false }).transitions).toEqual([]);
  });
});

describe("Rollout fixtures as transitions from plausible previous states", () => {
  it("rollout-aborted: paused at the pause step, then the background analysis fails → aborted, not resumed", () => {
    const aborted = loadFixture("rollout-aborted/rollout.yaml");
    const before = edit(aborted, (o) => {
      delete o.status.abort;
      delete o.status.abortedAt;
      o.status.currentStepIndex = 1;
      o.status.pauseConditions = [{ reason: "CanaryPauseStep", startTime: "2020-09-22T09:10:00Z" }];
      o.status.controllerPause = true;
      o.status.canary = {};
    });
    const r = detectFrom(before, aborted);
    expect(triggersOf(r)).toEqual(["on-rollout-aborted"]);
    const t = r.transitions[0]!;
    expect(t.revision).toBe("2");
    expect(t.object).toEqual({
      kind: "Rollout",
      namespace: "default",
      name: "rollout-background-analysis",
      uid: "aeddde25-f8bd-4a68-a4a1-523a559bdb83",
    });
    expect(t.rollout).toEqual(t.object);
    expect(t.id).toBe("aeddde25-f8bd-4a68-a4a1-523a559bdb83/on-rollout-aborted/run0/db976bc44");
    expect(t.id).not.toContain(":");
  });

  it("bluegreen-demo: the BlueGreenPause condition appears → paused, keyed by its startTime", () => {
    const paused = loadFixture("blue-green/bluegreen-rollout.yaml");
    const before = edit(paused, (o) => {
      delete o.status.pauseConditions;
      delete o.status.controllerPause;
    });
    const r = detectFrom(before, paused);
    expect(triggersOf(r)).toEqual(["on-rollout-paused"]);
    expect(r.transitions[0]!.id).toBe(
      "fe2872f3-f79f-11e9-a15b-42010aa80033/on-rollout-paused/cond/BlueGreenPause@2019-10-28T04%3A50%3A20Z",
    );
    expect(r.transitions[0]!.detail).toBe("paused (BlueGreenPause)");
  });

  it("rollout-experiment-analysis: an inconclusive analysis pauses the Rollout", () => {
    const paused = loadFixture("experiment-analysis/rollout-experiment-analysis.yaml");
    const before = edit(paused, (o) => {
      delete o.status.pauseConditions;
      delete o.status.controllerPause;
    });
    expect(triggersOf(detectFrom(before, paused))).toEqual(["on-rollout-paused"]);
    // and a promote that clears it is a resume
    const promoted = edit(paused, (o) => {
      delete o.status.pauseConditions;
    });
    const r = detectFrom(paused, promoted);
    expect(triggersOf(r)).toEqual(["on-rollout-resumed"]);
    expect(r.transitions[0]!.id).toBe(
      "a17d1089-fae6-11e9-a15b-42010aa80033/on-rollout-resumed/cond/InconclusiveAnalysisRun@2019-10-30T16%3A13%3A40Z",
    );
  });

  it("canary-demo revision 31: a new revision after a stable 30 → updated only (its steps start at 0)", () => {
    const current = loadFixture("canary/canary-rollout.yaml");
    const before = edit(current, (o) => {
      o.metadata.annotations = { "rollout.argoproj.io/revision": "30" };
      o.status.currentPodHash = o.status.stableRS;
      o.status.currentStepIndex = 8;
    });
    const r = detectFrom(before, current);
    expect(triggersOf(r)).toEqual(["on-rollout-updated"]);
    expect(r.transitions[0]).toMatchObject({
      revision: "31",
      id: expect.stringMatching(/\/on-rollout-updated\/r31$/),
    });
  });

  it("canary-demo (experiment step): the experiment step completes, then the revision is promoted", () => {
    const running = loadFixture("experiment-step/canary-demo.yaml");
    const stepDone = edit(running, (o) => {
      o.status.currentStepIndex = 1;
      o.status.canary = {};
    });
    const r1 = detectFrom(running, stepDone);
    expect(triggersOf(r1)).toEqual(["on-rollout-step-completed"]);
    expect(r1.transitions[0]!.detail).toBe("step 1/1 (experiment)");
    const promoted = edit(stepDone, (o) => {
      o.status.stableRS = o.status.currentPodHash;
    });
    const r2 = detectRolloutTransitions(r1.state, promoted, { baseline: false });
    expect(triggersOf(r2)).toEqual(["on-rollout-completed"]);
    expect(r2.transitions[0]!.detail).toBe("revision 2 is stable (645d5dbc4c)");
  });

  it("the snapshot carries no managedFields and the input is not modified", () => {
    const obj = edit(loadFixture("blue-green/bluegreen-rollout.yaml"), (o) => {
      (o.metadata as unknown as Record<string, unknown>).managedFields = [{ manager: "rollouts-controller" }];
    });
    const before = edit(obj, (o) => {
      delete o.status.pauseConditions;
    });
    const t = detectFrom(before, obj).transitions[0]!;
    expect(t.snapshot.metadata).not.toHaveProperty("managedFields");
    expect(t.snapshot.status).toEqual(obj.status);
    expect(obj.metadata).toHaveProperty("managedFields");
  });
});

// A small canary to drive through changes by hand.
function canary(
  change: (o: KubeObject & { status: Record<string, unknown> }) => void = () => {},
): KubeObject {
  const base: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "shop", uid: "u-1", generation: 1 },
    spec: {
      replicas: 2,
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: "3s" } }, { setWeight: 80 }] } },
    },
  };
  return edit(base, change);
}

const atRevision = (rev: string, hash: string, extra: Record<string, unknown> = {}) =>
  canary((o) => {
    o.metadata.annotations = { "rollout.argoproj.io/revision": rev };
    Object.assign(
      o.status,
      { currentPodHash: hash, currentStepHash: "s1", currentStepIndex: 0, stableRS: "h1" },
      extra,
    );
  });

function run(objects: KubeObject[], first: { baseline: boolean } = { baseline: true }) {
  let state: RolloutState | undefined;
  const out: { trigger: string; id: string; detail?: string }[][] = [];
  objects.forEach((o, i) => {
    const r = detectRolloutTransitions(state, o, i === 0 ? first : { baseline: false });
    state = r.state;
    out.push(r.transitions.map(({ trigger, id, detail }) => ({ trigger, id, detail })));
  });
  return out;
}

describe("Rollout detection rules", () => {
  it("a new Rollout deployed in one status update → updated, then completed; the skipped steps complete nothing", () => {
    const deployed = canary((o) => {
      o.metadata.annotations = { "rollout.argoproj.io/revision": "1" };
      Object.assign(o.status, {
        currentPodHash: "h1",
        currentStepHash: "s1",
        currentStepIndex: 3,
        stableRS: "h1",
      });
    });
    const r = detectRolloutTransitions(undefined, deployed, { baseline: false });
    expect(triggersOf(r).filter((t) => t !== "on-scaling-replica-set")).toEqual([
      "on-rollout-updated",
      "on-rollout-completed",
    ]);
  });

  it("status before the revision annotation (as the controller writes them) changes nothing", () => {
    const steps = run([
      atRevision("1", "h1", { currentStepIndex: 3 }),
      atRevision("1", "h2"), // new pod hash, index 0, annotation not yet bumped
      atRevision("2", "h2"), // the controller's own update sets revision 2
    ]);
    expect(steps.map((s) => s.map((t) => t.trigger))).toEqual([[], [], ["on-rollout-updated"]]);
  });

  it("nothing fires on fields that are not triggers", () => {
    const a = atRevision("2", "h2", {
      currentStepIndex: 1,
      readyReplicas: 1,
      replicas: 2,
      updatedReplicas: 1,
    });
    const b = edit(a, (o) => {
      o.metadata.resourceVersion = "999";
      (o.metadata as unknown as Record<string, unknown>).managedFields = [{ manager: "x" }];
      o.status.readyReplicas = 2;
      o.status.availableReplicas = 2;
      o.status.conditions = [{ type: "Progressing", lastUpdateTime: "2026-01-01T00:00:00Z" }];
      o.status.message = "more replicas need to be updated";
    });
    expect(run([a, b, b])).toEqual([[], [], []]);
  });

  it("a pause step that ends: step completed, then resumed, in one update", () => {
    const paused = atRevision("2", "h2", {
      currentStepIndex: 1,
      pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-01-01T10:00:00Z" }],
      controllerPause: true,
    });
    const done = atRevision("2", "h2", { currentStepIndex: 2 });
    const [, second] = run([paused, done]);
    expect(second!.map((t) => t.trigger)).toEqual(["on-rollout-step-completed", "on-rollout-resumed"]);
    expect(second![0]!.detail).toBe("step 2/3 (pause: 3s)");
  });

  it("several steps between two snapshots each complete, with the ids they would have had one by one", () => {
    const a = atRevision("2", "h2", { currentStepIndex: 0 });
    const b = atRevision("2", "h2", { currentStepIndex: 1 });
    const c = atRevision("2", "h2", { currentStepIndex: 2 });
    const oneByOne = run([a, b, c]).flat();
    const skipping = run([a, c]).flat();
    expect(skipping.map((t) => t.trigger)).toEqual([
      "on-rollout-step-completed",
      "on-rollout-step-completed",
    ]);
    expect(skipping.map((t) => t.id)).toEqual(oneByOne.map((t) => t.id));
  });

  it("promote --full jumps to the end without completing steps", () => {
    const paused = atRevision("2", "h2", {
      currentStepIndex: 1,
      pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-01-01T10:00:00Z" }],
    });
    const full = atRevision("2", "h2", { currentStepIndex: 3, promoteFull: true });
    const promoted = atRevision("2", "h2", { currentStepIndex: 3, stableRS: "h2" });
    expect(run([paused, full, promoted]).map((s) => s.map((t) => t.trigger))).toEqual([
      [],
      ["on-rollout-resumed"],
      ["on-rollout-completed"],
    ]);
  });

  it("the last step completing and the promotion after it, seen as one change, read as promote --full: the step completion is not seen (the documented bound)", () => {
    // The real controller writes of examples/histories/canary-abort-retry.yaml: [18] paused at step 2 of 2,
    // [19] step 2 completed (index 1 → 2, pause condition cleared), [20] canary scaled up, [21] promoted.
    const history = readHistory("examples/histories/canary-abort-retry.yaml").map((s) => s.object);
    const [paused, stepDone, scaled, promoted] = history.slice(17, 21) as [
      KubeObject,
      KubeObject,
      KubeObject,
      KubeObject,
    ];
    expect([paused, stepDone, promoted].map((o) => o.status?.currentStepIndex)).toEqual([1, 2, 2]);
    expect(promoted.status?.stableRS).toBe(promoted.status?.currentPodHash);
    const before = detectRolloutTransitions(undefined, paused, { baseline: true }).state;
    const oneByOne = [stepDone, scaled, promoted].reduce(
      (acc, obj) => {
        const r = detectRolloutTransitions(acc.state, obj, { baseline: false });
        return { state: r.state, ids: [...acc.ids, ...r.transitions.map((t) => t.id)] };
      },
      { state: before, ids: [] as string[] },
    );
    const coalesced = detectRolloutTransitions(before, promoted, { baseline: false });
    // Upstream (rollout/canary.go) completes a step in one status update and promotes in a later one, but
    // `promote --full` (status.promoteFull, reset to false by promoteStable in the same update) jumps the index
    // to the step count and promotes in one update with no step completed. After both, the status reads the
    // same: the step index equals the step count, stableRS is the current pod hash, promoteFull is false and
    // the pause conditions are gone. So a watcher that saw neither [19] nor the promoteFull request cannot
    // tell them apart; it reports what both have in common, never an event that may not have happened.
    const upstreamPromoteFull = edit(paused, (o) => {
      o.status.currentStepIndex = 2;
      o.status.stableRS = o.status.currentPodHash;
      delete o.status.pauseConditions;
      delete o.status.controllerPause;
    });
    const noScaling = (r: { transitions: { trigger: string }[] }) =>
      triggersOf(r).filter((t) => t !== "on-scaling-replica-set");
    expect(noScaling(detectRolloutTransitions(before, upstreamPromoteFull, { baseline: false }))).toEqual([
      "on-rollout-resumed",
      "on-rollout-completed",
    ]);
    expect(noScaling(coalesced)).toEqual(["on-rollout-resumed", "on-rollout-completed"]);
    // what it does report carries the ids the one-by-one detection gave (a restart never doubles them)
    expect(oneByOne.ids.filter((id) => !id.includes("/on-scaling-replica-set/"))).toEqual([
      ...oneByOne.ids.filter((id) => id.includes("/on-rollout-step-completed/")),
      ...coalesced.transitions.filter((t) => t.trigger !== "on-scaling-replica-set").map((t) => t.id),
    ]);
  });

  it("abort → retry → the same step completing again is a new event with a new id", () => {
    const s0 = atRevision("2", "h2", { currentStepIndex: 0 });
    const s1 = atRevision("2", "h2", { currentStepIndex: 1 });
    const userAbort = atRevision("2", "h2", { currentStepIndex: 1, abort: true });
    const controllerAbort = atRevision("2", "h2", {
      currentStepIndex: 0,
      abort: true,
      abortedAt: "2026-01-01T10:00:05Z",
    });
    const retried = atRevision("2", "h2", { currentStepIndex: 0 });
    const again = atRevision("2", "h2", { currentStepIndex: 1 });
    const out = run([s0, s1, userAbort, controllerAbort, retried, again]);
    expect(out.map((s) => s.map((t) => t.trigger))).toEqual([
      [],
      ["on-rollout-step-completed"],
      ["on-rollout-aborted"],
      [],
      [],
      ["on-rollout-step-completed"],
    ]);
    expect(out[1]![0]!.id).not.toBe(out[5]![0]!.id);
    // the abort seen only once the controller reacted has the same id
    const skipped = run([s0, s1, controllerAbort]);
    expect(skipped[2]![0]!.id).toBe(out[2]![0]!.id);
  });

  it("spec.paused (kubectl argo rollouts pause) pauses; clearing it resumes with the same key", () => {
    const a = atRevision("2", "h2", { currentStepIndex: 1 });
    const paused = edit(a, (o) => {
      o.spec!.paused = true;
      o.metadata.generation = 7;
    });
    const unpaused = edit(a, (o) => {
      o.metadata.generation = 8;
    });
    const out = run([a, paused, unpaused]);
    expect(out[1]).toMatchObject([{ trigger: "on-rollout-paused", id: "u-1/on-rollout-paused/spec/n1" }]);
    expect(out[2]).toMatchObject([{ trigger: "on-rollout-resumed", id: "u-1/on-rollout-resumed/spec/n1" }]);
  });

  it("replica count changes fire the opt-in on-scaling-replica-set; readyReplicas does not", () => {
    const a = atRevision("2", "h2", { replicas: 2, updatedReplicas: 2, readyReplicas: 2 });
    const scaled = edit(a, (o) => {
      o.spec!.replicas = 4;
    });
    const ready = edit(scaled, (o) => {
      o.status.readyReplicas = 4;
    });
    const out = run([a, scaled, ready]);
    expect(out[1]).toMatchObject([
      { trigger: "on-scaling-replica-set", detail: "replicas 4 (current 2, updated 2)" },
    ]);
    expect(out[2]).toEqual([]);
  });

  it("a Rollout with an invalid spec and no status fires nothing when it changes", () => {
    const invalid = loadFixture("rollout-invalid/rollout-invalid.yaml");
    const touched = edit(invalid, (o) => {
      o.metadata.generation = 4;
    });
    expect(triggersOf(detectFrom(invalid, touched))).toEqual([]);
  });
});
