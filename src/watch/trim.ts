// Keeps the informer cache lean: what detection, routing and templates use, not managedFields or the
// last-applied annotation; AnalysisRun measurements are cut to the latest few per metric; Experiments keep only
// their metadata (they are cached to find an AnalysisRun's Rollout through ownerReferences, nothing else).
// Every other field stays: custom triggers and Go templates may read any field of a Rollout or an AnalysisRun, so
// the cache keeps full objects; repeated string values are shared instead (string-interner.ts), and so are an
// AnalysisRun's metric definitions (value-interner.ts: runs of one AnalysisTemplate repeat them) and a canary
// Rollout's steps (Rollouts of one release process, e.g. of one chart, repeat them), which changes no value, only
// how many copies of it the heap holds.
import type { KubeObject } from "../kube/objects.ts";
import { StringInterner } from "./string-interner.ts";
import { ValueInterner } from "./value-interner.ts";

const DROPPED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];
const MEASUREMENTS_KEPT = 3;
/** Shared by every Reflector of the process: Rollouts and AnalysisRuns repeat each other's namespaces and names. */
const cacheStrings = new StringInterner();
/** AnalysisRuns' metric definitions, shared by the runs of one template (and across the process's Reflectors). */
const metricDefinitions = new ValueInterner();
/** Canary Rollouts' steps; bounded lower: a cluster whose Rollouts all have their own steps gains nothing here. */
const canarySteps = new ValueInterner({ maxBytes: 1024 * 1024 });

/** The object as cached: trimmed, and its string values shared. Nested objects of `obj` are reused (and their
 * strings replaced in place by equal shared ones): pass an object the caller owns, e.g. just parsed. */
export function trimObject(obj: KubeObject): KubeObject {
  const trimmed = trimFields(obj);
  cacheStrings.internDeep(trimmed);
  const metrics = trimmed.kind === "AnalysisRun" ? trimmed.spec?.metrics : undefined;
  if (Array.isArray(metrics))
    trimmed.spec = { ...trimmed.spec, metrics: metrics.map((m) => metricDefinitions.share(m)) };
  if (trimmed.kind === "Rollout") shareCanarySteps(trimmed);
  return trimmed;
}

/** Points `spec.strategy.canary.steps` at the shared instance of equal steps (the objects around it are copied,
 * not modified). */
function shareCanarySteps(rollout: KubeObject): void {
  const strategy = rollout.spec?.strategy as { canary?: { steps?: unknown } } | undefined;
  const canary = strategy?.canary;
  if (!canary || !Array.isArray(canary.steps)) return;
  const steps = canarySteps.share(canary.steps);
  if (steps === canary.steps) return;
  rollout.spec = { ...rollout.spec, strategy: { ...strategy, canary: { ...canary, steps } } };
}

/** trimObject without sharing strings (bench/cache-live-set.ts compares the two). */
export function trimFields(obj: KubeObject): KubeObject {
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
