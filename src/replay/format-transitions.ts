// How `replay` prints transitions: one JSON object per line (--triggers-only), or a readable summary (--demo).
import type { Transition } from "../triggers/transition.ts";

export interface TriggerLine {
  trigger: string;
  kind: string;
  namespace: string;
  name: string;
  revision?: string;
  rollout?: string;
  id: string;
  detail?: string;
  /** "condition": sent because a ConfigMap `when` became true (the condition path), not on an event. */
  path?: "condition";
}

export function triggerLineOf(t: Transition): TriggerLine {
  return {
    trigger: t.trigger,
    kind: t.object.kind,
    namespace: t.object.namespace,
    name: t.object.name,
    ...(t.revision !== undefined ? { revision: t.revision } : {}),
    ...(t.rollout ? { rollout: t.rollout.name } : {}),
    id: t.id,
    ...(t.detail !== undefined ? { detail: t.detail } : {}),
    ...(t.path ? { path: t.path } : {}),
  };
}

export function formatTriggerLine(t: Transition): string {
  return JSON.stringify(triggerLineOf(t));
}

const TRIGGER_WORDS: Record<string, string> = {
  "on-rollout-updated": "updated",
  "on-rollout-step-completed": "step completed",
  "on-rollout-paused": "paused",
  "on-rollout-resumed": "resumed",
  "on-rollout-completed": "completed",
  "on-rollout-aborted": "ABORTED",
  "on-scaling-replica-set": "scaled",
  "on-analysis-run-started": "analysis started",
  "on-analysis-run-completed": "analysis completed",
  "on-analysis-run-failed": "analysis FAILED",
  "on-analysis-run-error": "analysis ERROR",
};

/** One readable line: "  3. rollout default/canary-demo  rev 2  step completed   step 1/2 (setWeight: 50)". */
export function formatDemoLine(t: Transition, n: number): string {
  const what =
    t.object.kind === "Rollout" ? "rollout" : t.object.kind === "AnalysisRun" ? "analysisrun" : t.object.kind;
  const subject = `${what} ${t.object.namespace}/${t.object.name}`;
  const owner = t.rollout && t.rollout.name !== t.object.name ? ` (of rollout ${t.rollout.name})` : "";
  const rev = t.revision !== undefined ? `rev ${t.revision}` : "";
  const word = TRIGGER_WORDS[t.trigger] ?? t.trigger;
  return `${String(n).padStart(3)}. ${word.padEnd(19)} ${rev.padEnd(7)} ${subject}${owner}${t.detail ? ` — ${t.detail}` : ""}`;
}
