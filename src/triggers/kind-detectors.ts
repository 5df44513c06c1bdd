// Detection for one kind behind one shape, for callers that keep states as opaque JSON (the watcher stores them
// per uid in Redis): saved states are validated first; one that cannot be read (corrupt, or written by an
// incompatible version) is treated like no state on an existing object — a baseline, so nothing is re-sent.
import type { KubeObject } from "../kube/objects.ts";
import { detectAnalysisRunTransitions, parseAnalysisRunState } from "./analysis-run-transitions.ts";
import type { ExperimentLookup } from "./owning-rollout.ts";
import { parseRolloutState } from "./rollout-state.ts";
import { detectRolloutTransitions } from "./rollout-transitions.ts";
import type { Transition } from "./transition.ts";

export interface KindDetectOptions {
  /** No saved state and the object existed before watching started: record state, emit nothing. */
  baseline: boolean;
  lookupExperiment: ExperimentLookup;
}

export interface KindDetector {
  detect(
    previous: unknown | undefined,
    current: KubeObject,
    opts: KindDetectOptions,
  ): { transitions: Transition[]; state: unknown };
}

export const rolloutKindDetector: KindDetector = {
  detect(previous, current, opts) {
    const prev = parseRolloutState(previous);
    const baseline = opts.baseline || (previous !== undefined && prev === undefined);
    return detectRolloutTransitions(prev, current, { baseline });
  },
};

export const analysisRunKindDetector: KindDetector = {
  detect(previous, current, opts) {
    const prev = parseAnalysisRunState(previous);
    const baseline = opts.baseline || (previous !== undefined && prev === undefined);
    return detectAnalysisRunTransitions(prev, current, { baseline, lookupExperiment: opts.lookupExperiment });
  },
};

/** The detectors by kind, in the shape TransitionWatcher takes. */
export const KIND_DETECTORS = { Rollout: rolloutKindDetector, AnalysisRun: analysisRunKindDetector } as const;
