// The informer cache's compact form: what comes back out reads exactly like what went in (real controller-written
// objects), and copies handed out are independent of the cache and of each other.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { failedMetricsOf } from "../../src/templates/failed-metrics.ts";
import { compactObject, expandObject } from "../../src/watch/compact-object.ts";
import { ObjectCache } from "../../src/watch/object-cache.ts";
import { trimObject } from "../../src/watch/trim.ts";

const FIXTURES = "/work/shared/fixtures/argo-rollouts";
const fixture = (path: string) => parse(readFileSync(`${FIXTURES}/${path}`, "utf8")) as KubeObject;
const ROLLOUT = fixture("canary/canary-rollout.yaml");
const RUN = fixture("rollout-aborted/analysisrun.yaml");

describe("compactObject / expandObject", () => {
  it.each([
    ["Rollout", ROLLOUT],
    ["AnalysisRun", RUN],
    ["Experiment", fixture("experiment-analysis/experiment.yaml")],
  ])("gives back a %s that serializes, spreads, clones and compares like the original", (_kind, original) => {
    const copy = expandObject(compactObject(original));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
    expect(Object.keys(copy)).toEqual(Object.keys(original));
    expect({ ...copy }).toEqual(original);
    expect(structuredClone(copy)).toEqual(original);
    expect(copy).toEqual(original);
    expect(copy.status).toEqual(original.status);
    expect("status" in copy).toBe(true);
  });

  it("keeps metadata parsed and the rest out of the V8 heap", () => {
    const compact = compactObject(ROLLOUT);
    expect(compact.metadata).toBe(ROLLOUT.metadata);
    expect(Buffer.isBuffer(compact.body)).toBe(true);
    expect(JSON.parse(compact.body!.toString("utf8"))).toEqual({
      spec: ROLLOUT.spec,
      status: ROLLOUT.status,
    });
  });

  it("stores objects with only metadata without a body", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
    const compact = compactObject(obj);
    expect(compact.body).toBeUndefined();
    expect(expandObject(compact)).toEqual(obj);
  });

  it("hands out copies whose spec/status are independent of each other and of the stored form", () => {
    const compact = compactObject(RUN);
    const a = expandObject(compact);
    const b = expandObject(compact);
    expect(a.status).toBe(a.status); // parsed once per copy
    (a.status as Record<string, unknown>).phase = "Changed";
    a.spec = { replaced: true };
    expect(a.status?.phase).toBe("Changed");
    expect(a.spec).toEqual({ replaced: true });
    expect(b.status?.phase).toBe(RUN.status?.phase);
    expect(expandObject(compact)).toEqual(RUN);
  });

  it("feeds failed-metrics the same data as the parsed run", () => {
    const run = trimObject(RUN);
    expect(failedMetricsOf(expandObject(compactObject(run)))).toEqual(failedMetricsOf(run));
    expect(failedMetricsOf(run).length).toBeGreaterThan(0);
  });
});

describe("ObjectCache", () => {
  const obj = (namespace: string, name: string, phase: string): KubeObject => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisRun",
    metadata: { namespace, name, uid: `${namespace}-${name}` },
    status: { phase },
  });

  it("gets, lists and lists by namespace; a delete empties the namespace index", () => {
    const cache = new ObjectCache();
    expect(cache.set(obj("a", "r1", "Running")).status?.phase).toBe("Running");
    cache.set(obj("a", "r2", "Running"));
    cache.set(obj("b", "r1", "Failed"));
    cache.set(obj("a", "r1", "Successful")); // replaces
    expect(cache.size).toBe(3);
    expect(cache.get("a/r1")?.status?.phase).toBe("Successful");
    expect(cache.get("c/r1")).toBeUndefined();
    expect(cache.valuesIn("a").map((o) => o.metadata.name)).toEqual(["r1", "r2"]);
    expect(cache.values()).toHaveLength(3);

    expect(cache.delete("b/r1")?.status?.phase).toBe("Failed");
    expect(cache.delete("b/r1")).toBeUndefined();
    expect(cache.valuesIn("b")).toEqual([]);
    expect([...cache.keys()].sort()).toEqual(["a/r1", "a/r2"]);
  });

  it("keys cluster-scoped objects by name", () => {
    const cache = new ObjectCache();
    cache.set({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: { env: "prod" } } });
    expect(cache.get("team-a")?.metadata.labels).toEqual({ env: "prod" });
    expect(cache.valuesIn("")).toHaveLength(1);
  });
});

describe("trimObject", () => {
  it("keeps only the metadata of an Experiment (it is cached for its ownerReferences)", () => {
    const exp = fixture("experiment-analysis/experiment.yaml");
    const trimmed = trimObject(exp);
    expect(Object.keys(trimmed).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    expect(trimmed.metadata.ownerReferences).toEqual(exp.metadata.ownerReferences);
  });

  it("cuts AnalysisRun measurements to the last 3 per metric and keeps everything else", () => {
    const trimmed = trimObject(RUN);
    const results = trimmed.status?.metricResults as { measurements?: unknown[] }[];
    const original = RUN.status?.metricResults as { measurements?: unknown[] }[];
    for (const [i, r] of results.entries()) {
      expect(r.measurements).toEqual(original[i]!.measurements?.slice(-3));
    }
    expect(trimmed.spec).toEqual(RUN.spec);
  });
});
