import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { KIND_DETECTORS } from "../../src/triggers/kind-detectors.ts";
import { TransitionDetector, UnknownKindError } from "../../src/triggers/transition-detector.ts";
import type { TransitionWatcherOptions } from "../../src/watch/transition-watcher.ts";
import { edit, loadFixture } from "./load-fixture.ts";

const triggers = (ts: { trigger: string }[]) => ts.map((t) => t.trigger);

describe("TransitionDetector (in memory)", () => {
  const failedRun = loadFixture("rollout-aborted/analysisrun.yaml");
  const runningRun = edit(failedRun, (o) => {
    o.status.phase = "Running";
  });

  it("a bare object is a baseline the first time and a change after that", () => {
    const d = new TransitionDetector();
    expect(d.observe(runningRun)).toEqual([]);
    expect(triggers(d.observe(failedRun))).toEqual(["on-analysis-run-failed", "on-analysis-run-completed"]);
    expect(d.observe(failedRun)).toEqual([]);
  });

  it("ADDED is compared against nothing; MODIFIED of an object never seen is a baseline", () => {
    expect(triggers(new TransitionDetector().observe({ type: "ADDED", object: runningRun }))).toEqual([
      "on-analysis-run-started",
    ]);
    expect(new TransitionDetector().observe({ type: "MODIFIED", object: failedRun })).toEqual([]);
  });

  it("DELETED forgets the object: seen again, it is new", () => {
    const d = new TransitionDetector();
    d.observe(runningRun);
    expect(d.observe({ type: "DELETED", object: runningRun })).toEqual([]);
    expect(d.stateOf(failedRun.metadata.uid!)).toBeUndefined();
    expect(d.observe({ type: "BOOKMARK", object: { metadata: { name: "" } } as KubeObject })).toEqual([]);
  });

  it("resolves Experiment-owned runs through the Experiments it has seen (and forgets deleted ones)", () => {
    const run = loadFixture("experiment-step/canary-exp-analysis.yaml");
    const experiment = loadFixture("experiment-step/canary-exp.yaml");
    const d = new TransitionDetector();
    expect(d.observe(experiment)).toEqual([]);
    const [started] = d.observe({ type: "ADDED", object: run });
    expect(started).toMatchObject({
      trigger: "on-analysis-run-started",
      rollout: { name: "canary-demo" },
      revision: "2",
    });
    d.observe({ type: "DELETED", object: experiment });
    const [again] = new TransitionDetector().observe({ type: "ADDED", object: run });
    expect(again!.rollout).toBeUndefined();
  });

  it("ignores Namespaces, ConfigMaps and Secrets; rejects unknown kinds by name", () => {
    const d = new TransitionDetector();
    expect(d.observe({ kind: "Namespace", metadata: { name: "shop" } })).toEqual([]);
    expect(d.observe({ kind: "Secret", metadata: { name: "s", namespace: "x" } })).toEqual([]);
    expect(() => d.observe({ kind: "Deployment", metadata: { name: "d" } })).toThrow(UnknownKindError);
    expect(() => d.observe({ kind: "Deployment", metadata: { name: "d" } })).toThrow(
      /unknown kind "Deployment"/,
    );
  });

  it("its per-kind detectors fit the watcher", () => {
    const detectors: TransitionWatcherOptions["detectors"] = KIND_DETECTORS;
    expect(Object.keys(detectors)).toEqual(["Rollout", "AnalysisRun"]);
  });
});
