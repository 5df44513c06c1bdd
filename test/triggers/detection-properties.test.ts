// Properties of detection over controller-like histories (see rollout-history-model.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import {
  type AnalysisRunState,
  detectAnalysisRunTransitions,
} from "../../src/triggers/analysis-run-transitions.ts";
import type { RolloutState } from "../../src/triggers/rollout-state.ts";
import { detectRolloutTransitions } from "../../src/triggers/rollout-transitions.ts";
import { historyArb, type ModelHistory } from "./rollout-history-model.ts";

interface Step {
  before: RolloutState | undefined;
  ids: string[];
  triggers: string[];
  after: RolloutState;
}

function detectAll(h: ModelHistory, snapshots: KubeObject[] = h.snapshots): Step[] {
  const steps: Step[] = [];
  let state: RolloutState | undefined;
  snapshots.forEach((obj, i) => {
    const r = detectRolloutTransitions(state, obj, { baseline: i === 0 && h.existing });
    steps.push({
      before: state,
      ids: r.transitions.map((t) => t.id),
      triggers: r.transitions.map((t) => t.trigger),
      after: r.state,
    });
    state = r.state;
  });
  return steps;
}

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };

describe("detection properties over controller-like histories", () => {
  it("is deterministic", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        expect(detectAll(h)).toEqual(detectAll(h));
      }),
      RUNS,
    );
  });

  it("a snapshot delivered twice fires nothing the second time, and changes nothing after", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (h, pick) => {
        const i = pick % h.snapshots.length;
        const doubled = [...h.snapshots.slice(0, i + 1), h.snapshots[i]!, ...h.snapshots.slice(i + 1)];
        const original = detectAll(h).map((s) => s.ids);
        const withDuplicate = detectAll(h, doubled).map((s) => s.ids);
        expect(withDuplicate[i + 1]).toEqual([]);
        expect([...withDuplicate.slice(0, i + 1), ...withDuplicate.slice(i + 2)]).toEqual(original);
      }),
      RUNS,
    );
  });

  it("ids are unique within a history", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const ids = detectAll(h).flatMap((s) => s.ids);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      RUNS,
    );
  });

  it("skipping a snapshot (restart from an older saved state) only finds events the full sequence found, with the same ids", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const steps = detectAll(h);
        for (let i = 1; i + 1 < h.snapshots.length; i++) {
          const skip = detectRolloutTransitions(steps[i - 1]!.after, h.snapshots[i + 1]!, {
            baseline: false,
          });
          const seen = new Set([...steps[i]!.ids, ...steps[i + 1]!.ids]);
          // Scaling is a change between two observations: its ids are not comparable across skips (identity.ts).
          const skipIds = skip.transitions
            .filter((t) => t.trigger !== "on-scaling-replica-set")
            .map((t) => t.id);
          for (const id of skipIds) expect(seen, `skipping snapshot ${i}`).toContain(id);
        }
      }),
      RUNS,
    );
  });

  it("detecting again from any older saved state (crash, watcher down) never reuses the id of an earlier event", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.nat(), (h, a, b) => {
        const steps = detectAll(h);
        const i = a % h.snapshots.length;
        const j = i + (b % (h.snapshots.length - i));
        const earlier = new Set(steps.slice(0, i + 1).flatMap((s) => s.ids));
        const again = detectRolloutTransitions(steps[i]!.after, h.snapshots[j]!, { baseline: false });
        for (const t of again.transitions) expect(earlier).not.toContain(t.id);
      }),
      RUNS,
    );
  });

  it("in the full sequence, the triggers of one update come in lifecycle order", () => {
    const order = [
      "on-rollout-updated",
      "on-rollout-aborted",
      "on-rollout-step-completed",
      "on-rollout-resumed",
      "on-rollout-paused",
      "on-scaling-replica-set",
      "on-rollout-completed",
    ];
    fc.assert(
      fc.property(historyArb, (h) => {
        for (const s of detectAll(h)) {
          const ranks = s.triggers.map((t) => order.indexOf(t));
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        }
      }),
      RUNS,
    );
  });
});

describe("AnalysisRun detection properties", () => {
  // A run's phases as the analysis controller writes them, each possibly delivered more than once.
  const phasesArb = fc
    .tuple(
      fc.subarray(["", "Pending", "Running"]),
      fc.option(fc.constantFrom("Successful", "Failed", "Error", "Inconclusive"), { nil: undefined }),
      fc.array(fc.nat(3), { maxLength: 6 }),
    )
    .map(([early, end, repeats]) => {
      const phases = [...early, ...(end ? [end] : [])];
      for (const r of repeats)
        if (phases.length > 0) phases.splice(r % phases.length, 0, phases[r % phases.length]!);
      return phases;
    });
  const analysisRun = (phase: string) => ({
    kind: "AnalysisRun",
    metadata: { name: "ar", namespace: "ns", uid: "ar-uid" },
    status: phase ? { phase } : {},
  });

  it("each trigger fires at most once per run, terminal last, whatever the repeats", () => {
    fc.assert(
      fc.property(phasesArb, fc.boolean(), (phases, created) => {
        let state: AnalysisRunState | undefined;
        const fired: string[] = [];
        phases.forEach((phase, i) => {
          const r = detectAnalysisRunTransitions(state, analysisRun(phase), {
            baseline: i === 0 && !created,
            lookupExperiment: () => undefined,
          });
          state = r.state;
          fired.push(...r.transitions.map((t) => t.trigger));
        });
        expect(new Set(fired).size).toBe(fired.length);
        const completed = fired.indexOf("on-analysis-run-completed");
        if (completed >= 0) expect(completed).toBe(fired.length - 1);
        const terminal = phases.find((p) => ["Successful", "Failed", "Error", "Inconclusive"].includes(p));
        const firstIsTerminalBaseline = !created && phases[0] === terminal;
        if (terminal && !firstIsTerminalBaseline) expect(fired).toContain("on-analysis-run-completed");
        if (terminal === "Failed" && !firstIsTerminalBaseline)
          expect(fired).toContain("on-analysis-run-failed");
      }),
      RUNS,
    );
  });
});
