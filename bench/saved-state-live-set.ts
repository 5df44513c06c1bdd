// The watcher's saved states, live set per object: `node --expose-gc bench/saved-state-live-set.ts [count]` keeps
// `count` saved records per kind (the state detection records for the controller-written Rollout and AnalysisRun
// fixtures, with names and uids as bench/world.ts makes them) in a Map by uid, as the watcher holds them, and
// reports the retained heap per object after a full GC: parsed records (as the watcher held them before), and the
// JSON text of the state with short texts shared (what it holds now: transition-watcher.ts).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../src/kube/objects.ts";
import { KIND_DETECTORS } from "../src/triggers/kind-detectors.ts";
import { encodeObjectState } from "../src/watch/object-state-store.ts";
import { StringInterner } from "../src/watch/string-interner.ts";
import { ARGO_FIXTURES_DIR } from "../test/support/argo-fixtures.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const count = Number(process.argv[2] ?? 10_000);

const fixture = (path: string) => parse(readFileSync(`${ARGO_FIXTURES_DIR}/${path}`, "utf8")) as KubeObject;
const templates = {
  Rollout: fixture("canary/canary-rollout.yaml"),
  AnalysisRun: fixture("experiment-analysis/canary-analysis.yaml"),
};

/** The saved records' texts as Redis returns them (each a fresh string, as HSCAN's replies are). */
function savedTexts(kind: "Rollout" | "AnalysisRun", template: KubeObject): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const obj = {
      ...template,
      metadata: { ...template.metadata, name: `bench-${i}`, namespace: `bench-ns-${i % 100}` },
    };
    const { state } = KIND_DETECTORS[kind].detect(undefined, obj, {
      baseline: true,
      lookupExperiment: () => undefined,
    });
    const ref = { kind, namespace: obj.metadata.namespace!, name: obj.metadata.name };
    out.push([randomUUID(), encodeObjectState(ref, JSON.stringify({ builtin: state }))]);
  }
  return out;
}

/** A fresh copy of a string (as each HSCAN reply is), so that nothing kept is shared with the input. */
const fresh = (s: string) => Buffer.from(s).toString();

function retainedPerObject(texts: [string, string][], keep: (text: string) => unknown): number {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const kept = new Map<string, unknown>();
  for (const [uid, text] of texts) kept.set(fresh(uid), keep(fresh(text)));
  gc!();
  const after = process.memoryUsage().heapUsed;
  if (kept.size !== count) throw new Error("unreachable");
  return (after - before) / count;
}

const shared = new StringInterner({ maxEntries: 10_000, maxLength: 128 });
const rows: Record<string, Record<string, number | string>> = {};
for (const [kind, template] of Object.entries(templates) as ["Rollout" | "AnalysisRun", KubeObject][]) {
  const texts = savedTexts(kind, template);
  retainedPerObject(texts, (t) => t); // settles the heap after building the input
  rows[kind] = {
    "JSON bytes": texts[0]![1].length,
    "parsed record": Math.round(retainedPerObject(texts, (t) => JSON.parse(t))),
    "state text, short ones shared": Math.round(
      retainedPerObject(texts, (t) =>
        shared.intern(JSON.stringify((JSON.parse(t) as { state: unknown }).state)),
      ),
    ),
  };
}
console.log(
  `retained heap per saved state (bytes; Map entry and uid included), ${count} per kind, node ${process.version}`,
);
console.table(rows);
