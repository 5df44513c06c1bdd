import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import {
  detectAnalysisRunTransitions,
  extractAnalysisRunState,
} from "../../src/triggers/analysis-run-transitions.ts";
import { edit, loadFixture } from "./load-fixture.ts";

const noExperiments = () => undefined;
const triggersOf = (r: { transitions: { trigger: string }[] }) => r.transitions.map((t) => t.trigger);

function withPhase(ar: KubeObject, phase: string | undefined): KubeObject {
  return edit(ar, (o) => {
    if (phase === undefined) delete o.status.phase;
    else o.status.phase = phase;
  });
}

describe("AnalysisRun fixtures", () => {
  const failed = loadFixture("rollout-aborted/analysisrun.yaml");
  const inconclusive = loadFixture("experiment-analysis/canary-analysis.yaml");
  const experimentRun = loadFixture("experiment-step/canary-exp-analysis.yaml");
  const experiment = loadFixture("experiment-step/canary-exp.yaml");

  it.each([
    ["rollout-aborted/analysisrun.yaml", failed],
    ["experiment-analysis/canary-analysis.yaml", inconclusive],
    ["experiment-step/canary-exp-analysis.yaml", experimentRun],
  ])("%s as a baseline: nothing fires", (_path, ar) => {
    const r = detectAnalysisRunTransitions(undefined, ar, {
      baseline: true,
      lookupExperiment: noExperiments,
    });
    expect(r.transitions).toEqual([]);
    expect(r.state).toEqual(extractAnalysisRunState(ar));
  });

  it("a background run that goes Running → Failed: failed, then completed; owned by the Rollout; revision 2", () => {
    const running = withPhase(failed, "Running");
    const r = detectAnalysisRunTransitions(extractAnalysisRunState(running), failed, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(triggersOf(r)).toEqual(["on-analysis-run-failed", "on-analysis-run-completed"]);
    expect(r.transitions[0]).toMatchObject({
      id: "f453c075-5964-4330-bb30-6bedad22d08b/on-analysis-run-failed",
      object: { kind: "AnalysisRun", namespace: "default", name: "rollout-background-analysis-db976bc44-2" },
      rollout: {
        kind: "Rollout",
        namespace: "default",
        name: "rollout-background-analysis",
        uid: "aeddde25-f8bd-4a68-a4a1-523a559bdb83",
      },
      revision: "2",
      detail: 'phase Failed: metric "web" assessed Failed due to failed (1) > failureLimit (0)',
    });
  });

  it("a status.message of any length makes a detail of at most 300 characters (templates still see it whole)", () => {
    const running = withPhase(failed, "Running");
    // a web metric's error can quote the provider's answer
    const long = edit(failed, (o) => {
      o.status.message = `metric "web" assessed Error: ${"<html>".repeat(20_000)}`;
    });
    const r = detectAnalysisRunTransitions(extractAnalysisRunState(running), long, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    const detail = r.transitions[0]!.detail!;
    expect(Array.from(detail)).toHaveLength(300);
    expect(detail).toMatch(/^phase Failed: metric "web" assessed Error: <html><html>.*…$/);
    expect((r.transitions[0]!.snapshot.status as { message: string }).message).toHaveLength(
      (long.status as { message: string }).message.length,
    );
  });

  it("created while watching: Pending → Running fires started once; the run seen again fires nothing", () => {
    const pending = withPhase(failed, undefined);
    const running = withPhase(failed, "Running");
    const a = detectAnalysisRunTransitions(undefined, pending, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(a.transitions).toEqual([]);
    const b = detectAnalysisRunTransitions(a.state, running, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(triggersOf(b)).toEqual(["on-analysis-run-started"]);
    const c = detectAnalysisRunTransitions(b.state, running, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(c.transitions).toEqual([]);
  });

  it("a run created during the watch already Running fires started", () => {
    const r = detectAnalysisRunTransitions(undefined, experimentRun, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(triggersOf(r)).toEqual(["on-analysis-run-started"]);
  });

  it("Inconclusive is completed, not failed", () => {
    const running = withPhase(inconclusive, "Running");
    const r = detectAnalysisRunTransitions(extractAnalysisRunState(running), inconclusive, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(triggersOf(r)).toEqual(["on-analysis-run-completed"]);
    expect(r.transitions[0]!.rollout?.name).toBe("rollout-experiment-analysis");
  });

  it("Error fires error, then completed", () => {
    const errored = withPhase(failed, "Error");
    const r = detectAnalysisRunTransitions({ v: 1, phase: "Running" }, errored, {
      baseline: false,
      lookupExperiment: noExperiments,
    });
    expect(triggersOf(r)).toEqual(["on-analysis-run-error", "on-analysis-run-completed"]);
  });

  it("an Experiment-owned run resolves its Rollout through the Experiment and takes the Experiment's revision", () => {
    const lookup = (ns: string, name: string) =>
      ns === "jesse-test" && name === "canary-demo-645d5dbc4c-2-0" ? experiment : undefined;
    const r = detectAnalysisRunTransitions(undefined, experimentRun, {
      baseline: false,
      lookupExperiment: lookup,
    });
    expect(r.transitions[0]).toMatchObject({
      rollout: { kind: "Rollout", name: "canary-demo", uid: "42b19359-01af-11ea-b38c-42010aa80083" },
      revision: "2",
    });
  });

  it("terminal phases do not fire again, and a terminal run never starts again", () => {
    const opts = { baseline: false, lookupExperiment: noExperiments };
    expect(detectAnalysisRunTransitions({ v: 1, phase: "Failed" }, failed, opts).transitions).toEqual([]);
    expect(
      detectAnalysisRunTransitions({ v: 1, phase: "Successful" }, withPhase(failed, "Running"), opts)
        .transitions,
    ).toEqual([]);
  });
});
