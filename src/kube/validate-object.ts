// The status/spec fields the detectors read, checked for type and range at the edge (watch and replay) before
// detection. Anyone who can write a Rollout's status can write anything there; a value of the wrong type or out
// of range is reported (log, metric, replay stderr) and the object is skipped for detection — never turned into
// invented notifications (a currentStepIndex far beyond the step count used to announce hundreds of steps; a
// pauseConditions object instead of a list dropped paused/resumed). Pure.
import type { KubeObject } from "./objects.ts";

/** Why the object cannot be used for detection (one line per field), or [] when it can. */
export function validateObject(obj: KubeObject): string[] {
  if (obj.kind === "Rollout") return validateRollout(obj);
  if (obj.kind === "AnalysisRun") return validateAnalysisRun(obj);
  return [];
}

type Check = (problems: string[], path: string, v: unknown) => void;

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const typeOf = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`;

const str: Check = (p, path, v) => {
  if (v !== undefined && v !== null && typeof v !== "string") p.push(`${path} is ${typeOf(v)}, not a string`);
};
const bool: Check = (p, path, v) => {
  if (v !== undefined && v !== null && typeof v !== "boolean")
    p.push(`${path} is ${typeOf(v)}, not a boolean`);
};
const count: Check = (p, path, v) => {
  if (v === undefined || v === null) return;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    p.push(`${path} is ${typeof v === "number" ? v : typeOf(v)}, not a non-negative integer`);
  }
};
const list: Check = (p, path, v) => {
  if (v !== undefined && v !== null && !Array.isArray(v)) p.push(`${path} is ${typeOf(v)}, not a list`);
};
const object: Check = (p, path, v) => {
  if (v !== undefined && v !== null && !isObj(v)) p.push(`${path} is ${typeOf(v)}, not an object`);
};

function validateRollout(obj: KubeObject): string[] {
  const p: string[] = [];
  const spec = obj.spec as Record<string, unknown> | undefined;
  const status = obj.status as Record<string, unknown> | undefined;
  object(p, "spec", spec);
  object(p, "status", status);
  if (p.length > 0) return p;
  bool(p, "spec.paused", spec?.paused);
  count(p, "spec.replicas", spec?.replicas);
  object(p, "spec.strategy", spec?.strategy);
  const strategy = isObj(spec?.strategy) ? spec.strategy : undefined;
  object(p, "spec.strategy.canary", strategy?.canary);
  const canary = isObj(strategy?.canary) ? strategy.canary : undefined;
  list(p, "spec.strategy.canary.steps", canary?.steps);
  if (!status) return p;
  for (const f of ["currentPodHash", "stableRS", "currentStepHash", "abortedAt", "phase", "message"]) {
    str(p, `status.${f}`, status[f]);
  }
  bool(p, "status.abort", status.abort);
  bool(p, "status.promoteFull", status.promoteFull);
  count(p, "status.replicas", status.replicas);
  count(p, "status.updatedReplicas", status.updatedReplicas);
  count(p, "status.currentStepIndex", status.currentStepIndex);
  const steps = Array.isArray(canary?.steps) ? canary.steps.length : undefined;
  const index = status.currentStepIndex;
  if (typeof index === "number" && Number.isSafeInteger(index) && index >= 0 && index > (steps ?? 0)) {
    p.push(
      `status.currentStepIndex ${index} is beyond the ${steps ?? 0} step(s) of spec.strategy.canary.steps`,
    );
  }
  list(p, "status.pauseConditions", status.pauseConditions);
  if (Array.isArray(status.pauseConditions)) {
    status.pauseConditions.forEach((c, i) => {
      if (!isObj(c)) p.push(`status.pauseConditions[${i}] is ${typeOf(c)}, not an object`);
      else {
        str(p, `status.pauseConditions[${i}].reason`, c.reason);
        str(p, `status.pauseConditions[${i}].startTime`, c.startTime);
      }
    });
  }
  list(p, "status.conditions", status.conditions);
  return p;
}

function validateAnalysisRun(obj: KubeObject): string[] {
  const p: string[] = [];
  const status = obj.status as Record<string, unknown> | undefined;
  object(p, "spec", obj.spec);
  object(p, "status", status);
  if (p.length > 0 || !status) return p;
  str(p, "status.phase", status.phase);
  str(p, "status.message", status.message);
  str(p, "status.startedAt", status.startedAt);
  list(p, "status.metricResults", status.metricResults);
  if (Array.isArray(status.metricResults)) {
    status.metricResults.forEach((m, i) => {
      if (!isObj(m)) {
        p.push(`status.metricResults[${i}] is ${typeOf(m)}, not an object`);
        return;
      }
      str(p, `status.metricResults[${i}].name`, m.name);
      str(p, `status.metricResults[${i}].phase`, m.phase);
      list(p, `status.metricResults[${i}].measurements`, m.measurements);
      for (const f of ["count", "successful", "failed", "inconclusive", "error", "consecutiveError"]) {
        count(p, `status.metricResults[${i}].${f}`, m[f]);
      }
    });
  }
  return p;
}
