import { describe, expect, it } from "vitest";
import { analysisRunKindDetector, rolloutKindDetector } from "../../src/triggers/kind-detectors.ts";
import { edit, loadFixture } from "./load-fixture.ts";

const lookupExperiment = () => undefined;

describe("kind detectors (opaque saved state, as the watcher keeps it)", () => {
  const rollout = loadFixture("blue-green/bluegreen-rollout.yaml");
  const before = edit(rollout, (o) => {
    delete o.status.pauseConditions;
  });

  it("a state read back from JSON detects like the in-memory one", () => {
    const first = rolloutKindDetector.detect(undefined, before, { baseline: true, lookupExperiment });
    const saved = JSON.parse(JSON.stringify(first.state));
    const r = rolloutKindDetector.detect(saved, rollout, { baseline: false, lookupExperiment });
    expect(r.transitions.map((t) => t.trigger)).toEqual(["on-rollout-paused"]);
  });

  it("a state it cannot read (corrupt, other version) makes the object a baseline: nothing re-sent", () => {
    for (const corrupt of [{}, { v: 99 }, "x", 42, { v: 1, run: "?" }]) {
      const r = rolloutKindDetector.detect(corrupt, rollout, { baseline: false, lookupExperiment });
      expect(r.transitions).toEqual([]);
      expect(r.state).toMatchObject({ v: 1, podHash: "74b948fccb" });
    }
    const ar = loadFixture("rollout-aborted/analysisrun.yaml");
    expect(analysisRunKindDetector.detect({ phase: 3 }, ar, { baseline: false, lookupExperiment })).toEqual({
      transitions: [],
      state: { v: 1, phase: "Failed" },
    });
  });

  it("no state and not a baseline: compared against nothing (created while watching)", () => {
    const ar = loadFixture("rollout-aborted/analysisrun.yaml");
    const r = analysisRunKindDetector.detect(undefined, ar, { baseline: false, lookupExperiment });
    expect(r.transitions.map((t) => t.trigger)).toEqual([
      "on-analysis-run-failed",
      "on-analysis-run-completed",
    ]);
  });
});
