// The Argo fixtures (objects written by real controllers) are served unchanged: nothing in their spec or
// status is pruned by the CRD schemas, so the schemas declare every field the controller writes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { ARGO_FIXTURES_DIR, loadFixtureCrds, pruneToSchema } from "./crd-schemas.ts";
import { type KubeApiServer, startKubeApiServer } from "./index.ts";

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "crds" ? [] : fixtureFiles(path);
    return entry.endsWith(".yaml") && entry !== "notifications-install.yaml" ? [path] : [];
  });
}

const FIXTURES = fixtureFiles(ARGO_FIXTURES_DIR).map((path) => ({
  name: relative(ARGO_FIXTURES_DIR, path),
  obj: parseYaml(readFileSync(path, "utf8")) as KubeObject,
}));

function withoutNullCreationTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullCreationTimestamps);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === "creationTimestamp" && v === null))
      .map(([k, v]) => [k, withoutNullCreationTimestamps(v)]),
  );
}

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer();
});
afterAll(async () => {
  await server.stop();
});

describe("Argo fixtures through the test API server", () => {
  it("finds the fixtures and the Rollout and AnalysisRun CRDs", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(15);
    expect([...loadFixtureCrds().keys()].sort()).toEqual(["AnalysisRun", "Rollout"]);
  });

  it.each(FIXTURES)("$name: no field is unknown to its CRD schema", ({ obj }) => {
    const schema = loadFixtureCrds().get(obj.kind ?? "")?.schema;
    if (!schema) return; // no Experiment CRD in the fixtures: nothing to check against
    const dropped: string[] = [];
    pruneToSchema(structuredClone(obj), schema, dropped);
    // Go marshals an empty pod template creationTimestamp as null; the CRD does not declare it
    expect(dropped.filter((p) => !p.endsWith(".metadata.creationTimestamp"))).toEqual([]);
  });

  it.each(FIXTURES)(
    "$name: is served over HTTP with its status, spec and metadata unchanged",
    async ({ obj }) => {
      const loaded = server.objects.load(obj);
      const r =
        obj.kind === "Rollout" ? "rollouts" : obj.kind === "AnalysisRun" ? "analysisruns" : "experiments";
      const res = await fetch(
        `${server.url}/apis/argoproj.io/v1alpha1/namespaces/${obj.metadata.namespace}/${r}/${obj.metadata.name}`,
        { headers: { authorization: `Bearer ${server.token}` } },
      );
      expect(res.status).toBe(200);
      const served = (await res.json()) as KubeObject;
      expect(served.status).toEqual(obj.status);
      // the only pruning: `creationTimestamp: null` in embedded pod/job template metadata (undeclared by the CRDs)
      expect(served.spec).toEqual(
        obj.kind === "Experiment" ? obj.spec : withoutNullCreationTimestamps(obj.spec),
      );
      const {
        resourceVersion,
        selfLink: _s,
        ...meta
      } = obj.metadata as KubeObject["metadata"] & { selfLink?: string };
      const { resourceVersion: servedRv, ...servedMeta } = served.metadata;
      expect(servedMeta).toEqual(meta);
      expect(servedRv).toBe(loaded.metadata.resourceVersion);
      expect(servedRv).not.toBe(resourceVersion); // resourceVersion belongs to this server's history
    },
  );
});
