// AnalysisRun lifecycle detection: a run goes Pending → Running → Successful | Failed | Error | Inconclusive,
// once. Pure: the owning Experiment (if any) comes from the lookup the caller passes.
import type { KubeObject } from "../kube/objects.ts";
import { objectIdentity, transitionId } from "./identity.ts";
import { type ExperimentLookup, resolveOwningRollout } from "./owning-rollout.ts";
import { objectRefOf, snapshotOf, stringAt } from "./snapshot.ts";
import { type Transition, transitionDetail } from "./transition.ts";
import type { AnalysisRunTrigger } from "./trigger-names.ts";

export interface AnalysisRunState {
  v: 1;
  /** status.phase ("" before the controller sets one). */
  phase: string;
}

export interface AnalysisRunDetection {
  transitions: Transition[];
  state: AnalysisRunState;
}

export const TERMINAL_ANALYSIS_PHASES = ["Successful", "Failed", "Error", "Inconclusive"] as const;

export function isTerminalAnalysisPhase(phase: string): boolean {
  return (TERMINAL_ANALYSIS_PHASES as readonly string[]).includes(phase);
}

export function extractAnalysisRunState(obj: KubeObject): AnalysisRunState {
  return { v: 1, phase: stringAt(obj.status, "phase") ?? "" };
}

export function parseAnalysisRunState(value: unknown): AnalysisRunState | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const s = value as Record<string, unknown>;
  return s.v === 1 && typeof s.phase === "string" ? (value as AnalysisRunState) : undefined;
}

export function detectAnalysisRunTransitions(
  prev: AnalysisRunState | undefined,
  current: KubeObject,
  opts: { baseline: boolean; lookupExperiment: ExperimentLookup },
): AnalysisRunDetection {
  const state = extractAnalysisRunState(current);
  if (prev === undefined && opts.baseline) return { transitions: [], state };
  const before = prev?.phase ?? "";
  const phase = state.phase;
  const triggers: AnalysisRunTrigger[] = [];
  if (phase === "Running" && before !== "Running" && !isTerminalAnalysisPhase(before)) {
    triggers.push("on-analysis-run-started");
  }
  if (isTerminalAnalysisPhase(phase) && !isTerminalAnalysisPhase(before)) {
    if (phase === "Failed") triggers.push("on-analysis-run-failed");
    if (phase === "Error") triggers.push("on-analysis-run-error");
    triggers.push("on-analysis-run-completed");
  }
  if (triggers.length === 0) return { transitions: [], state };

  const owner = resolveOwningRollout(current, opts.lookupExperiment);
  const ident = objectIdentity(current.metadata);
  const object = objectRefOf(current);
  const snapshot = snapshotOf(current);
  const message = stringAt(current.status, "message");
  const transitions = triggers.map(
    (trigger): Transition => ({
      id: transitionId(ident, trigger),
      trigger,
      object,
      ...(owner.rollout ? { rollout: owner.rollout } : {}),
      ...(owner.revision !== undefined ? { revision: owner.revision } : {}),
      snapshot,
      detail: transitionDetail(`phase ${phase}${message ? `: ${message}` : ""}`),
    }),
  );
  return { transitions, state };
}
