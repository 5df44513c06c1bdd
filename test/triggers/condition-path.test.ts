// Built-in triggers as upstream runs them: the event path sees the object the controller recorded the event
// on; conditions with a `when` also run on the condition path (every update), once per event of the trigger.
// Histories: examples/histories (controller-written status shapes, one write per document).
import { describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { NotifierConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { planTrigger } from "../../src/triggers/custom-trigger-plan.ts";
import { detectObjectTransitions, type ObjectDetectionState } from "../../src/triggers/object-transitions.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { configMap } from "../config/load-examples.ts";
import { type HistoryStep, readHistory } from "../support/history-player.ts";

const now = new Date("2026-03-02T12:00:00Z");
const CANARY = readHistory("examples/histories/canary-abort-retry.yaml");
const ANALYSIS = readHistory("examples/histories/canary-analysis-failure.yaml");

function cfg(data: Record<string, string>): NotifierConfig {
  const r = loadNotifierConfig(configMap({ "template.t": "message: x", ...data }), undefined);
  expect(r.errors).toEqual([]);
  return r.config;
}

interface Detected {
  /** 1-based document number of the history. */
  doc: number;
  t: Transition;
}

/** Plays the Rollout documents of a history through detection (as replay and the watcher do). */
function play(
  steps: HistoryStep[],
  config: NotifierConfig,
  from?: ObjectDetectionState,
  opts: { problemsExpected?: boolean } = {},
) {
  let state = from;
  const out: Detected[] = [];
  const problems: { doc: number; message: string }[] = [];
  const states: (ObjectDetectionState | undefined)[] = [];
  steps.forEach((s, i) => {
    if (s.object.kind !== "Rollout") return;
    states[i + 1] = state;
    const r = detectObjectTransitions({
      previous: state,
      object: s.object,
      config,
      baseline: state === undefined && s.type !== "ADDED",
      lookupExperiment: () => undefined,
      lookupRollout: () => undefined,
      now,
    });
    if (!opts.problemsExpected) expect(r.problems).toEqual([]);
    problems.push(...r.problems.map((p) => ({ doc: i + 1, message: p.message })));
    state = r.state;
    for (const t of r.transitions) if (t.trigger !== "on-scaling-replica-set") out.push({ doc: i + 1, t });
  });
  return { detected: out, state, states, problems };
}

/** What is sent: plan keys of every transition, in order (the queue sends each key once). */
function sends(
  detected: Detected[],
  config: NotifierConfig,
): { doc: number; trigger: string; key: string }[] {
  return detected.flatMap(({ doc, t }) =>
    planTrigger(t, config, { now }).plans.map((p) => ({ doc, trigger: t.trigger, key: p.key })),
  );
}

const status = (t: Transition) => t.eventObject?.status ?? {};

describe("the event path: the object the controller recorded the event on", () => {
  const { detected } = play(CANARY, cfg({}));
  const of = (trigger: string) => detected.filter((d) => d.t.trigger === trigger);

  it("step completed: status.currentStepIndex is the completed step's index (before the status write)", () => {
    expect(
      of("on-rollout-step-completed").map((d) => [
        d.doc,
        d.t.snapshot.status?.currentStepIndex,
        status(d.t).currentStepIndex,
      ]),
    ).toEqual([
      [10, 1, 0], // revision 2, step 1 of 2
      [17, 1, 0], // after the retry: step 1 of 2 again
      [19, 2, 1], // step 2 of 2
    ]);
  });

  it("paused / resumed: the status before the pause started / ended; completed: old stableRS, not Healthy yet", () => {
    const paused = of("on-rollout-paused")[0]!.t;
    expect(paused.snapshot.status?.pauseConditions).toHaveLength(1);
    expect(status(paused).pauseConditions).toBeUndefined();
    const resumed = of("on-rollout-resumed")[0]!.t;
    expect(resumed.snapshot.status?.pauseConditions).toBeUndefined();
    expect(status(resumed).pauseConditions).toEqual([
      { reason: "CanaryPauseStep", startTime: "2026-03-02T10:02:11Z" },
    ]);
    const completed = of("on-rollout-completed").at(-1)!.t;
    expect(completed.snapshot.status).toMatchObject({ stableRS: "5d6f8bb6c4", phase: "Progressing" });
    expect(status(completed)).toMatchObject({ stableRS: "687d76d795", phase: "Progressing" });
  });

  it("aborted: a user's abort is the object as patched; the controller's own abort is the object before its write", () => {
    const user = of("on-rollout-aborted")[0]!.t;
    expect(status(user)).toMatchObject({ abort: true, phase: "Paused" });
    const byAnalysis = play(ANALYSIS, cfg({})).detected.find((d) => d.t.trigger === "on-rollout-aborted")!.t;
    expect(byAnalysis.snapshot.status).toMatchObject({ abort: true, phase: "Degraded" });
    expect(status(byAnalysis).abort).toBeUndefined();
    expect(status(byAnalysis).phase).toBe("Paused");
  });

  it("updated: the object with the new revision annotation, as detected", () => {
    const updated = of("on-rollout-updated")[1]!.t;
    expect(updated.eventObject).toBe(updated.snapshot);
  });
});

describe("the condition path for built-in triggers", () => {
  const healthy = cfg({
    "trigger.on-rollout-completed": "- when: rollout.status.phase == 'Healthy'\n  send: [t]",
  });

  it("on-rollout-completed when Healthy: once per completed revision, after the completion (written while Progressing)", () => {
    const { detected } = play(CANARY, healthy);
    expect(sends(detected, healthy).filter((s) => s.trigger === "on-rollout-completed")).toEqual([
      {
        doc: 5,
        trigger: "on-rollout-completed",
        key: expect.stringMatching(/\/on-rollout-completed\/r1\/687d76d795\/c0-/),
      },
      {
        doc: 22,
        trigger: "on-rollout-completed",
        key: expect.stringMatching(/\/on-rollout-completed\/r2\/5d6f8bb6c4\/c0-/),
      },
    ]);
  });

  it("an autoscaler flicker (Healthy → Progressing → Healthy, same revision) does not repeat it", () => {
    const { state } = play(CANARY, healthy);
    const last = CANARY.at(-1)!.object;
    const progressing: KubeObject = structuredClone(last);
    Object.assign(progressing.status!, { phase: "Progressing", replicas: 3, updatedReplicas: 3 });
    progressing.spec!.replicas = 3;
    const back: KubeObject = structuredClone(progressing);
    Object.assign(back.status!, { phase: "Healthy", availableReplicas: 3 });
    const flicker: HistoryStep[] = [progressing, back, progressing, back].map((object) => ({
      type: "MODIFIED",
      object,
    }));
    const after = play(flicker, healthy, state);
    expect(after.detected.filter((d) => d.t.trigger === "on-rollout-completed")).toEqual([]);
  });

  it("where the event path sends for an event, the condition path does not send it again", () => {
    const config = cfg({
      "trigger.on-rollout-updated":
        "- when: rollout.metadata.annotations?.['rollout.argoproj.io/revision'] == '2'\n  send: [t]",
    });
    const { detected } = play(CANARY, config);
    // both paths see the condition turn true on the update that sets revision 2: one send, from the event
    expect(detected.filter((d) => d.t.path === "condition")).toEqual([]);
    expect(sends(detected, config).filter((s) => s.trigger === "on-rollout-updated")).toEqual([
      { doc: 8, trigger: "on-rollout-updated", key: expect.stringMatching(/\/on-rollout-updated\/r2\/c0-/) },
    ]);
  });

  it("step-completed when currentStepIndex > 0: the same sends as upstream's two paths", () => {
    const config = cfg({
      "trigger.on-rollout-step-completed": "- when: rollout.status.currentStepIndex > 0\n  send: [t]",
    });
    const run = play(CANARY, config, undefined, { problemsExpected: true });
    // as upstream: the new Rollout has no step index yet, and nil > 0 is an error (reported, false)
    expect(run.problems).toEqual([{ doc: 1, message: "when: invalid operation: <nil> > int" }]);
    const got = sends(run.detected, config)
      .filter((s) => s.trigger === "on-rollout-step-completed")
      .map((s) => [s.doc, s.key.replace(/^[^/]+\/on-rollout-step-completed\//, "").replace(/\/c0-.*$/, "")]);
    expect(got).toEqual([
      [4, "r1"], // condition path: the initial deploy jumps to index 2 (no step event in revision 1)
      [10, "run2/5d6f8bb6c4/1"], // condition path: index 0 → 1 (the event path saw index 0: false)
      [17, "run3/5d6f8bb6c4/1"], // after abort (index 0) and retry: index 0 → 1 again
      [19, "run3/5d6f8bb6c4/2"], // event path: step 2 recorded with index 1 > 0
    ]);
  });

  it("on-rollout-aborted when Degraded: once per abort, also for an abort written together with Degraded", () => {
    const degraded = cfg({
      "trigger.on-rollout-aborted": "- when: rollout.status.phase == 'Degraded'\n  send: [t]",
    });
    expect(
      sends(play(CANARY, degraded).detected, degraded).filter((s) => s.trigger === "on-rollout-aborted"),
    ).toEqual([
      {
        doc: 13,
        trigger: "on-rollout-aborted",
        key: expect.stringMatching(/\/on-rollout-aborted\/run2\/5d6f8bb6c4\/c0-/),
      },
    ]);
    expect(
      sends(play(ANALYSIS, degraded).detected, degraded).filter((s) => s.trigger === "on-rollout-aborted"),
    ).toEqual([
      {
        doc: 11,
        trigger: "on-rollout-aborted",
        key: expect.stringMatching(/\/on-rollout-aborted\/run1\/db976bc44\/c0-/),
      },
    ]);
  });

  it("with oncePer: once per value through both paths", () => {
    const config = cfg({
      "trigger.on-rollout-step-completed": [
        // `??`/`?.`: the new Rollout has neither a step index nor annotations yet (nil >= 1 would be an error)
        "- when: (rollout.status.currentStepIndex ?? 0) >= 1",
        "  oncePer: rollout.metadata.annotations?.['rollout.argoproj.io/revision']",
        "  send: [t]",
      ].join("\n"),
    });
    const keys = sends(play(CANARY, config).detected, config)
      .filter((s) => s.trigger === "on-rollout-step-completed")
      .map((s) => s.key);
    // revision 1 (the initial deploy jumps to index 2) and revision 2: one key each, however often sent
    expect([...new Set(keys)]).toEqual([
      expect.stringMatching(/\/on-rollout-step-completed\/c0-[\w-]+\/once\/1$/),
      expect.stringMatching(/\/on-rollout-step-completed\/c0-[\w-]+\/once\/2$/),
    ]);
  });

  it("detecting again from a saved state (crash before it was advanced) gives the same ids", () => {
    const { detected, states } = play(CANARY, healthy);
    for (const { doc, t } of detected.filter((d) => d.t.path === "condition")) {
      const again = detectObjectTransitions({
        previous: structuredClone(states[doc]),
        object: CANARY[doc - 1]!.object,
        config: healthy,
        baseline: false,
        lookupExperiment: () => undefined,
        lookupRollout: () => undefined,
        now,
      });
      expect(again.transitions.map((x) => x.id)).toContain(t.id);
    }
  });
});
