// Keeps the informer cache lean: what detection, routing and templates use, not managedFields or the
// last-applied annotation; AnalysisRun measurements are cut to the latest few per metric; Experiments keep only
// their metadata (they are cached to find an AnalysisRun's Rollout through ownerReferences, nothing else).
import type { KubeObject } from "../kube/objects.ts";

const DROPPED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];
const MEASUREMENTS_KEPT = 3;

export function trimObject(obj: KubeObject): KubeObject {
  const { managedFields: _mf, ...metadata } = obj.metadata as KubeObject["metadata"] & {
    managedFields?: unknown;
  };
  if (metadata.annotations) {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata.annotations)) {
      if (!DROPPED_ANNOTATIONS.includes(k)) kept[k] = v;
    }
    metadata.annotations = kept;
  }
  if (obj.kind === "Experiment") return { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  const trimmed: KubeObject = { ...obj, metadata };
  if (obj.kind === "AnalysisRun" && obj.status && Array.isArray(obj.status.metricResults)) {
    trimmed.status = {
      ...obj.status,
      metricResults: (obj.status.metricResults as Record<string, unknown>[]).map((m) =>
        Array.isArray(m.measurements) ? { ...m, measurements: m.measurements.slice(-MEASUREMENTS_KEPT) } : m,
      ),
    };
  }
  return trimmed;
}
