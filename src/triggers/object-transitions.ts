// Built-in detection (the event path) plus the condition path (custom-triggers.ts: every ConfigMap condition
// with a `when`, custom and built-in trigger names), for one Rollout or AnalysisRun. Pure: the caller keeps the returned state per object (JSON-safe) and passes it
// back next time. Used by replay; the live watcher can call it the same way with its stored states.
//
// Order: the built-in transitions of the change first, then the custom ones (by trigger name, condition index).
// Baselines apply to both: an object first seen as it already was fires nothing; one created while watching is
// compared against nothing (a custom condition already true on it fires).
import type { NotifierConfig } from "../config/types.ts";
import type { KubeObject } from "../kube/objects.ts";
import {
  type CustomTriggerProblem,
  type CustomTriggerState,
  conditionPathTriggers,
  evaluateCustomTriggers,
} from "./custom-triggers.ts";
import { KIND_DETECTORS } from "./kind-detectors.ts";
import { type ExperimentLookup, resolveOwningRollout } from "./owning-rollout.ts";
import type { Transition } from "./transition.ts";

/** Per-object detection state: the built-in detector's (opaque) and the custom triggers'. */
export interface ObjectDetectionState {
  builtin?: unknown;
  custom?: CustomTriggerState;
}

export interface DetectObjectTransitionsInput {
  /** The state this function returned last time for the object; undefined for an object never seen. */
  previous: ObjectDetectionState | undefined;
  /** A Rollout or an AnalysisRun. */
  object: KubeObject;
  /** The effective config of the object's namespace (its `triggers` and `context` are read). */
  config: Pick<NotifierConfig, "triggers" | "context">;
  /** No saved state and the object existed before watching started: record state, emit nothing. */
  baseline: boolean;
  lookupExperiment: ExperimentLookup;
  /** The live Rollout by namespace/name (the `rollout` variable of AnalysisRun conditions). */
  lookupRollout: (namespace: string, name: string) => KubeObject | undefined;
  /** The AnalysisRuns of a namespace (upstream's `analysisRuns` variable of conditions); absent: null. */
  analysisRunsIn?: (namespace: string) => KubeObject[];
  now: Date;
}

export interface ObjectTransitionsResult {
  transitions: Transition[];
  state: ObjectDetectionState;
  /** Custom trigger conditions that could not be compiled or evaluated (named by trigger and index). */
  problems: CustomTriggerProblem[];
}

export function detectObjectTransitions(input: DetectObjectTransitionsInput): ObjectTransitionsResult {
  const { object, previous } = input;
  if (object.kind !== "Rollout" && object.kind !== "AnalysisRun") {
    throw new Error(
      `detectObjectTransitions: ${object.kind} ${object.metadata.name} is not a Rollout or AnalysisRun`,
    );
  }
  const builtin = KIND_DETECTORS[object.kind].detect(previous?.builtin, object, {
    baseline: input.baseline,
    lookupExperiment: input.lookupExperiment,
  });
  const state: ObjectDetectionState = { builtin: builtin.state };
  if (conditionPathTriggers(input.config).length === 0) {
    // Keep what we knew: custom triggers configured again later continue from it.
    if (previous?.custom) state.custom = previous.custom;
    return { transitions: builtin.transitions, state, problems: [] };
  }
  let rollout: KubeObject | undefined;
  if (object.kind === "AnalysisRun") {
    const owner = resolveOwningRollout(object, input.lookupExperiment).rollout;
    if (owner) rollout = input.lookupRollout(owner.namespace, owner.name);
  }
  const custom = evaluateCustomTriggers({
    config: input.config,
    // A known object without custom state (triggers added since): every condition starts from its current value.
    previous: previous ? (previous.custom ?? { conditions: {} }) : undefined,
    object,
    ...(rollout ? { rollout } : {}),
    events: builtin.transitions,
    ...(input.analysisRunsIn ? { analysisRunsIn: input.analysisRunsIn } : {}),
    now: input.now,
    baseline: input.baseline,
  });
  state.custom = custom.state;
  return {
    transitions: [...builtin.transitions, ...custom.transitions],
    state,
    problems: custom.problems,
  };
}
