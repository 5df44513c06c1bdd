// The informer cache's live set per object: `node --expose-gc bench/cache-live-set.ts [count]` parses `count`
// clones of the controller-written Rollout and AnalysisRun fixtures from JSON text (as a list response arrives;
// each clone has its own name, namespace of 100, uid and owner, as bench/world.ts makes them), keeps them as the
// Reflector would, and reports the retained heap per object after a full GC: as parsed, trimmed, and trimmed with
// shared strings (what the cache holds).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../src/kube/objects.ts";
import { trimFields, trimObject } from "../src/watch/trim.ts";
import { ARGO_FIXTURES_DIR } from "../test/support/argo-fixtures.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const count = Number(process.argv[2] ?? 10_000);

const fixture = (path: string) => parse(readFileSync(`${ARGO_FIXTURES_DIR}/${path}`, "utf8")) as KubeObject;
const templates = {
  Rollout: fixture("canary/canary-rollout.yaml"),
  AnalysisRun: fixture("experiment-analysis/canary-analysis.yaml"),
};

function texts(template: KubeObject): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const o = structuredClone(template);
    o.metadata = {
      ...o.metadata,
      name: `bench-${i}`,
      namespace: `bench-ns-${i % 100}`,
      uid: randomUUID(),
      ownerReferences: [
        { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: `bench-${i}`, uid: randomUUID() },
      ],
    };
    out.push(JSON.stringify(o));
  }
  return out;
}

function retainedPerObject(json: string[], keep: (o: KubeObject) => KubeObject): number {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const kept = json.map((t) => keep(JSON.parse(t) as KubeObject));
  gc!();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== count) throw new Error("unreachable");
  return (after - before) / count;
}

const rows: Record<string, Record<string, number | string>> = {};
for (const [kind, template] of Object.entries(templates)) {
  const json = texts(template);
  rows[kind] = {
    "JSON bytes": json[0]!.length,
    parsed: Math.round(retainedPerObject(json, (o) => o)),
    trimmed: Math.round(retainedPerObject(json, trimFields)),
    "trimmed + shared strings": Math.round(retainedPerObject(json, trimObject)),
  };
}
console.log(`retained heap per cached object (bytes), ${count} objects per kind, node ${process.version}`);
console.table(rows);
