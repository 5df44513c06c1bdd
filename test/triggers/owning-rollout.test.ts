import { describe, expect, it } from "vitest";
import { resolveOwningRollout } from "../../src/triggers/owning-rollout.ts";
import { edit, loadFixture } from "./load-fixture.ts";

describe("resolveOwningRollout", () => {
  const direct = loadFixture("rollout-aborted/analysisrun.yaml");
  const viaExperiment = loadFixture("experiment-step/canary-exp-analysis.yaml");
  const experiment = loadFixture("experiment-step/canary-exp.yaml");

  it("an AnalysisRun owned by a Rollout", () => {
    expect(resolveOwningRollout(direct, () => undefined)).toEqual({
      rollout: {
        kind: "Rollout",
        namespace: "default",
        name: "rollout-background-analysis",
        uid: "aeddde25-f8bd-4a68-a4a1-523a559bdb83",
      },
      revision: "2",
    });
  });

  it("an AnalysisRun owned by an Experiment owned by a Rollout", () => {
    const seen: string[] = [];
    const owner = resolveOwningRollout(viaExperiment, (ns, name) => {
      seen.push(`${ns}/${name}`);
      return experiment;
    });
    expect(seen).toEqual(["jesse-test/canary-demo-645d5dbc4c-2-0"]);
    expect(owner).toEqual({
      rollout: {
        kind: "Rollout",
        namespace: "jesse-test",
        name: "canary-demo",
        uid: "42b19359-01af-11ea-b38c-42010aa80083",
      },
      experiment: { namespace: "jesse-test", name: "canary-demo-645d5dbc4c-2-0", found: true },
      revision: "2",
    });
  });

  it("the Experiment not (yet) known: no rollout, the experiment named", () => {
    expect(resolveOwningRollout(viaExperiment, () => undefined)).toEqual({
      experiment: { namespace: "jesse-test", name: "canary-demo-645d5dbc4c-2-0", found: false },
    });
  });

  it("a standalone AnalysisRun has no owning Rollout", () => {
    const standalone = edit(direct, (o) => {
      delete o.metadata.ownerReferences;
    });
    expect(resolveOwningRollout(standalone, () => undefined)).toEqual({ revision: "2" });
  });

  it("a standalone Experiment's run has no owning Rollout", () => {
    const standaloneExperiment = edit(experiment, (o) => {
      delete o.metadata.ownerReferences;
    });
    expect(resolveOwningRollout(viaExperiment, () => standaloneExperiment).rollout).toBeUndefined();
  });
});
