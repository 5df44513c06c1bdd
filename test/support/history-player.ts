// Plays a recorded history (examples/histories/*.yaml: watch events as the Argo Rollouts controller wrote
// them) into the Kubernetes API test server, one write per document, so the watcher sees the same sequence of
// snapshots a real cluster would show. Objects can be renamed/re-uid'd so one history gives many Rollouts.
import { readFileSync } from "node:fs";
import type { KubeObject, WatchEvent } from "../../src/kube/objects.ts";
import { parseReplayInput } from "../../src/replay/parse-documents.ts";
import type { KubeApiServer } from "./kube-api-server/index.ts";

export interface HistoryStep {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

export function readHistory(path: string): HistoryStep[] {
  const steps: HistoryStep[] = [];
  for (const item of parseReplayInput(readFileSync(path, "utf8"))) {
    if (!item.ok) throw new Error(`${path}: document ${item.index}: ${item.message}`);
    const input = item.input as WatchEvent | KubeObject;
    if ("type" in input && "object" in input) {
      if (input.type === "BOOKMARK") continue;
      steps.push({ type: input.type, object: input.object });
    } else {
      steps.push({ type: "MODIFIED", object: input as KubeObject });
    }
  }
  return steps;
}

/** The same history for another Rollout: names get a suffix, uids a prefix, owner references follow. */
export function renameHistory(steps: HistoryStep[], suffix: string, namespace?: string): HistoryStep[] {
  const rename = (obj: KubeObject): KubeObject => {
    const clone = structuredClone(obj);
    clone.metadata.name = `${clone.metadata.name}-${suffix}`;
    if (namespace && clone.metadata.namespace) clone.metadata.namespace = namespace;
    if (clone.metadata.uid) clone.metadata.uid = `${suffix}-${clone.metadata.uid}`.slice(0, 63);
    for (const o of clone.metadata.ownerReferences ?? []) {
      o.name = `${o.name}-${suffix}`;
      o.uid = `${suffix}-${o.uid}`.slice(0, 63);
    }
    delete clone.metadata.resourceVersion;
    return clone;
  };
  return steps.map((s) => ({ type: s.type, object: rename(s.object) }));
}

/** Applies one step as the controller/user would: one write, one watch event. Returns the written object. */
export function applyStep(api: KubeApiServer, step: HistoryStep): KubeObject | undefined {
  const obj = structuredClone(step.object);
  delete obj.metadata.resourceVersion;
  if (step.type === "DELETED") {
    if (api.objects.tryGet({ kind: obj.kind!, namespace: obj.metadata.namespace, name: obj.metadata.name })) {
      api.objects.delete({ kind: obj.kind!, namespace: obj.metadata.namespace, name: obj.metadata.name });
    }
    return undefined;
  }
  return api.objects.load(obj);
}
