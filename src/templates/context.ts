// The variables a template sees. Upstream-compatible names (`rollout`, `recipient`, `serviceType`, `context`, …)
// plus computed conveniences so templates don't need Go-style gymnastics: strategy, revision, images, step,
// failedMetrics, statusMessage. docs/templates.md documents every key.
import type { ServiceType } from "../config/types.ts";
import { type KubeObject, REVISION_ANNOTATION } from "../kube/objects.ts";
import type { ObjectRef, Transition } from "../triggers/transition.ts";
import { type FailedMetric, failedMetricsOf, failedMetricsOfRuns } from "./failed-metrics.ts";
import { formatTime } from "./time-format.ts";

export interface TemplateContext {
  /** The Rollout, as the controller wrote it. */
  rollout: KubeObject;
  /** The AnalysisRun the event is about (AnalysisRun triggers only). */
  analysisRun?: KubeObject;
  /** AnalysisRuns of the Rollout's current revision (may be empty). */
  analysisRuns: KubeObject[];
  /** Trigger name, e.g. "on-rollout-aborted". */
  trigger: string;
  transition: { id: string; trigger: string; detail?: string; revision?: string; object: ObjectRef };
  recipient: string;
  serviceType: ServiceType;
  /** ConfigMap `context` values (e.g. argocdUrl, environmentName). */
  context: Record<string, string>;
  /** When the notification is rendered (ISO 8601, UTC). `since`/`now` helpers use it. */
  time: string;
  strategy: "Canary" | "BlueGreen" | "";
  /** Rollout revision (annotation rollout.argoproj.io/revision). */
  revision: string;
  /** Container name → image, from spec.template.spec.containers. */
  images: Record<string, string>;
  /** Canary progress: index = status.currentStepIndex (= steps completed), total = number of steps. */
  step?: { index: number; total: number };
  /** Failed/errored/inconclusive metrics of the AnalysisRun (AnalysisRun triggers) or of the current revision's runs. */
  failedMetrics: FailedMetric[];
  /** status.message, else the message of the Progressing condition ("" when neither is set). */
  statusMessage: string;
}

export interface TemplateContextInput {
  transition: Transition;
  rollout: KubeObject;
  analysisRun?: KubeObject;
  analysisRuns?: KubeObject[];
  recipient: string;
  serviceType: ServiceType;
  context?: Record<string, string>;
  now: Date | string;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);

export function rolloutStrategy(rollout: KubeObject): "Canary" | "BlueGreen" | "" {
  const strategy = isRec(rollout.spec?.strategy) ? rollout.spec.strategy : {};
  if (isRec(strategy.canary)) return "Canary";
  if (isRec(strategy.blueGreen)) return "BlueGreen";
  return "";
}

export function rolloutImages(rollout: KubeObject): Record<string, string> {
  const template = isRec(rollout.spec?.template) ? rollout.spec.template : {};
  const podSpec = isRec(template.spec) ? template.spec : {};
  const images: Record<string, string> = {};
  for (const c of Array.isArray(podSpec.containers) ? podSpec.containers : []) {
    if (isRec(c) && typeof c.name === "string" && typeof c.image === "string") images[c.name] = c.image;
  }
  return images;
}

export function canaryStep(rollout: KubeObject): { index: number; total: number } | undefined {
  const strategy = isRec(rollout.spec?.strategy) ? rollout.spec.strategy : {};
  const canary = isRec(strategy.canary) ? strategy.canary : undefined;
  if (!canary || !Array.isArray(canary.steps) || canary.steps.length === 0) return undefined;
  const raw = rollout.status?.currentStepIndex;
  const index = typeof raw === "number" ? raw : 0;
  return { index: Math.min(index, canary.steps.length), total: canary.steps.length };
}

function statusMessageOf(rollout: KubeObject): string {
  const status = rollout.status ?? {};
  if (typeof status.message === "string" && status.message) return status.message;
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const progressing = conditions.find((c) => isRec(c) && c.type === "Progressing");
  return isRec(progressing) && typeof progressing.message === "string" ? progressing.message : "";
}

export function buildTemplateContext(input: TemplateContextInput): TemplateContext {
  const { transition, rollout } = input;
  const analysisRun =
    input.analysisRun ?? (transition.object.kind === "AnalysisRun" ? transition.snapshot : undefined);
  const analysisRuns = input.analysisRuns ?? [];
  const revision = rollout.metadata.annotations?.[REVISION_ANNOTATION] ?? transition.revision ?? "";
  const t: TemplateContext["transition"] = {
    id: transition.id,
    trigger: transition.trigger,
    object: transition.object,
  };
  if (transition.detail !== undefined) t.detail = transition.detail;
  if (transition.revision !== undefined) t.revision = transition.revision;
  const ctx: TemplateContext = {
    rollout,
    analysisRuns,
    trigger: transition.trigger,
    transition: t,
    recipient: input.recipient,
    serviceType: input.serviceType,
    context: input.context ?? {},
    time: formatTime(input.now) || new Date(0).toISOString(),
    strategy: rolloutStrategy(rollout),
    revision,
    images: rolloutImages(rollout),
    failedMetrics: analysisRun ? failedMetricsOf(analysisRun) : failedMetricsOfRuns(analysisRuns),
    statusMessage: statusMessageOf(rollout),
  };
  if (analysisRun) ctx.analysisRun = analysisRun;
  const step = canaryStep(rollout);
  if (step) ctx.step = step;
  return ctx;
}
