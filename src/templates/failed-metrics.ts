// What went wrong in an analysis, from AnalysisRun status as the controller writes it: for each metric that
// ended Failed, Error or Inconclusive, its last measured value, the condition from spec.metrics, the counts and
// the message (argoproj/argo-rollouts#2741, #3008).
import type { KubeObject } from "../kube/objects.ts";

export type FailedMetricPhase = "Failed" | "Error" | "Inconclusive";
const FAILED_PHASES: readonly string[] = ["Failed", "Error", "Inconclusive"];

export interface FailedMetric {
  /** AnalysisRun name. */
  analysisRun: string;
  /** Metric name (spec.metrics[].name). */
  name: string;
  phase: FailedMetricPhase;
  /** Value of the last measurement that has one (providers like `job` record none). */
  value?: string;
  successCondition?: string;
  failureCondition?: string;
  /** Human summary of the condition that decided, e.g. `successCondition not met: result == "true"`. */
  condition: string;
  /** metricResults[].message, else the last measurement's message, else the run's message about this metric. */
  message?: string;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);
const asString = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
const asNumber = (v: unknown): number | undefined => {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
};
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function describeCondition(phase: FailedMetricPhase, success?: string, failure?: string): string {
  if (phase === "Error") return "measurement error";
  if (phase === "Inconclusive") {
    const parts = [
      success && `successCondition: ${success}`,
      failure && `failureCondition: ${failure}`,
    ].filter(Boolean);
    return parts.length ? `neither condition met (${parts.join("; ")})` : "inconclusive";
  }
  if (failure && success) return `failureCondition: ${failure} (successCondition: ${success})`;
  if (failure) return `failureCondition: ${failure}`;
  if (success) return `successCondition not met: ${success}`;
  return "failed";
}

/** Failed/errored/inconclusive metrics of one AnalysisRun, in status order. */
export function failedMetricsOf(run: KubeObject): FailedMetric[] {
  const status = isRec(run.status) ? run.status : {};
  const spec = isRec(run.spec) ? run.spec : {};
  const specMetrics = new Map<string, Rec>();
  for (const m of asArray(spec.metrics))
    if (isRec(m) && typeof m.name === "string") specMetrics.set(m.name, m);
  const runMessage = asString(status.message);
  const out: FailedMetric[] = [];
  for (const result of asArray(status.metricResults)) {
    if (!isRec(result) || typeof result.name !== "string") continue;
    const phase = asString(result.phase);
    if (!phase || !FAILED_PHASES.includes(phase)) continue;
    const name = result.name;
    const metricSpec = specMetrics.get(name) ?? {};
    const measurements = asArray(result.measurements).filter(isRec);
    const lastWithValue = [...measurements].reverse().find((m) => asString(m.value) !== undefined);
    const lastWithMessage = [...measurements].reverse().find((m) => asString(m.message) !== undefined);
    const successCondition = asString(metricSpec.successCondition);
    const failureCondition = asString(metricSpec.failureCondition);
    const message =
      asString(result.message) ??
      asString(lastWithMessage?.message) ??
      (runMessage?.includes(`"${name}"`) ? runMessage : undefined);
    const fm: FailedMetric = {
      analysisRun: run.metadata.name,
      name,
      phase: phase as FailedMetricPhase,
      condition: describeCondition(phase as FailedMetricPhase, successCondition, failureCondition),
      count: asNumber(result.count) ?? measurements.length,
      successful: asNumber(result.successful) ?? 0,
      failed: asNumber(result.failed) ?? 0,
      inconclusive: asNumber(result.inconclusive) ?? 0,
      error: asNumber(result.error) ?? 0,
    };
    const value = asString(lastWithValue?.value);
    if (value !== undefined) fm.value = value;
    if (successCondition !== undefined) fm.successCondition = successCondition;
    if (failureCondition !== undefined) fm.failureCondition = failureCondition;
    if (message !== undefined) fm.message = message;
    const failureLimit = asNumber(metricSpec.failureLimit);
    if (failureLimit !== undefined) fm.failureLimit = failureLimit;
    const inconclusiveLimit = asNumber(metricSpec.inconclusiveLimit);
    if (inconclusiveLimit !== undefined) fm.inconclusiveLimit = inconclusiveLimit;
    const consecutiveErrorLimit = asNumber(metricSpec.consecutiveErrorLimit);
    if (consecutiveErrorLimit !== undefined) fm.consecutiveErrorLimit = consecutiveErrorLimit;
    out.push(fm);
  }
  return out;
}

/** Failed metrics across several runs (only runs whose phase is Failed, Error or Inconclusive). */
export function failedMetricsOfRuns(runs: readonly KubeObject[]): FailedMetric[] {
  return runs
    .filter((r) => isRec(r.status) && FAILED_PHASES.includes(String(r.status.phase)))
    .flatMap((r) => failedMetricsOf(r));
}
