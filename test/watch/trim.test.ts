// What the informer cache keeps of an object: Experiments only their metadata (they are cached to find an
// AnalysisRun's Rollout through ownerReferences); AnalysisRuns their last 3 measurements per metric.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { trimObject } from "../../src/watch/trim.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

const fixture = (path: string) => parse(readFileSync(`${ARGO_FIXTURES_DIR}/${path}`, "utf8")) as KubeObject;

describe("trimObject", () => {
  it("keeps only the metadata of an Experiment", () => {
    const exp = fixture("experiment-analysis/experiment.yaml");
    const trimmed = trimObject(exp);
    expect(Object.keys(trimmed).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    expect(trimmed.metadata.ownerReferences).toEqual(exp.metadata.ownerReferences);
  });

  it("cuts AnalysisRun measurements to the last 3 per metric and keeps everything else", () => {
    const run = fixture("experiment-analysis/canary-analysis.yaml");
    const trimmed = trimObject(run);
    const results = trimmed.status?.metricResults as { measurements?: unknown[] }[];
    const original = run.status?.metricResults as { measurements?: unknown[] }[];
    expect(original[0]!.measurements!.length).toBeGreaterThan(3);
    for (const [i, r] of results.entries())
      expect(r.measurements).toEqual(original[i]!.measurements?.slice(-3));
    expect(trimmed.spec).toEqual(run.spec);
    expect(trimmed.status?.phase).toBe(run.status?.phase);
  });

  it("shares the metric definitions of AnalysisRuns that repeat them (runs of one template), values unchanged", () => {
    const run = fixture("experiment-analysis/canary-analysis.yaml");
    const one = trimObject(structuredClone(run));
    const other = structuredClone(run);
    other.metadata = { ...other.metadata, name: "another-run", uid: "another-uid" };
    const two = trimObject(other);
    const metrics = (o: KubeObject) => o.spec?.metrics as unknown[];
    expect(metrics(two)).toEqual(run.spec?.metrics);
    expect(metrics(two)[0]).toBe(metrics(one)[0]);
    expect(two.metadata.name).toBe("another-run");
    const changed = structuredClone(run);
    (changed.spec!.metrics as { count: number }[])[0]!.count = 99;
    const three = trimObject(changed);
    expect(metrics(three)[0]).not.toBe(metrics(one)[0]);
    expect((metrics(three)[0] as { count: number }).count).toBe(99);
  });

  it("shares the canary steps of Rollouts that repeat them, values unchanged, the rest of the spec their own", () => {
    const ro = fixture("canary/canary-rollout.yaml");
    type Canary = { steps: unknown[]; canaryService?: string };
    const canary = (o: KubeObject) => (o.spec!.strategy as { canary: Canary }).canary;
    const one = trimObject(structuredClone(ro));
    const other = structuredClone(ro);
    other.metadata = { ...other.metadata, name: "another", uid: "another-uid" };
    canary(other).canaryService = "another-preview";
    const two = trimObject(other);
    expect(canary(two).steps).toEqual(canary(ro).steps);
    expect(canary(two).steps).toBe(canary(one).steps);
    expect(canary(two).canaryService).toBe("another-preview");
    expect(canary(one).canaryService).toBe(canary(ro).canaryService);
    expect(Object.isFrozen(canary(two).steps)).toBe(true);
    const changed = structuredClone(ro);
    canary(changed).steps = [...canary(changed).steps, { setWeight: 100 }];
    const three = trimObject(changed);
    expect(canary(three).steps).not.toBe(canary(one).steps);
    expect(canary(three).steps.at(-1)).toEqual({ setWeight: 100 });
    expect(trimObject(fixture("blue-green/bluegreen-rollout.yaml")).spec?.strategy).toEqual(
      fixture("blue-green/bluegreen-rollout.yaml").spec?.strategy,
    );
  });

  it("keeps every field a custom trigger or template may read of a Rollout (only managedFields and last-applied go)", () => {
    const ro = fixture("canary/canary-rollout.yaml");
    const expected = structuredClone(ro) as KubeObject & { metadata: { managedFields?: unknown } };
    delete expected.metadata.managedFields;
    delete expected.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
    const withNoise = structuredClone(ro);
    (withNoise.metadata as unknown as Record<string, unknown>).managedFields = [{ manager: "kubectl" }];
    withNoise.metadata.annotations = {
      ...withNoise.metadata.annotations,
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
    };
    const trimmed = trimObject(withNoise);
    expect(trimmed).toEqual(expected);
    expect(trimmed.status).toEqual(ro.status);
  });
});
