// What detection remembers about a Rollout between two snapshots: a small JSON record (the watcher keeps one per
// uid in Redis and compares against it after a restart). Only fields detection needs, plus the counters that
// give transitions their identity (see identity.ts).
import { type KubeObject, REVISION_ANNOTATION } from "../kube/objects.ts";
import { fieldAt, numberAt, stringAt } from "./snapshot.ts";

export interface RolloutState {
  v: 1;
  /** metadata.annotations["rollout.argoproj.io/revision"] */
  revision?: string;
  podHash?: string;
  stableRS?: string;
  stepHash?: string;
  stepIndex?: number;
  /** status.phase and status.message: with the fields above, what the event view (event-view.ts) restores. */
  phase?: string;
  message?: string;
  /**
   * Run counter: +1 whenever the steps start over — a new (currentPodHash, currentStepHash) pair, an abort, or
   * the step index going back. 0 for a baseline, 1 for the first run of a newly created Rollout.
   */
  run: number;
  aborted: boolean;
  /** "<reason>@<startTime>" of each status.pauseConditions entry, in order. */
  pauseKeys: string[];
  specPaused: boolean;
  /** How many times spec.paused was seen turning true: the key of the current (or last) user pause. */
  specPauses: number;
  replicas: { spec?: number; status?: number; updated?: number };
  /** How many replica-count changes were detected (qualifies scaling ids). */
  scalingChanges: number;
}

/** The fields of a Rollout object detection compares, read leniently (absent or mistyped fields → undefined). */
export interface RolloutFacts {
  revision?: string;
  podHash?: string;
  stableRS?: string;
  stepHash?: string;
  stepIndex?: number;
  phase?: string;
  message?: string;
  aborted: boolean;
  abortedAt?: string;
  promoteFull: boolean;
  pauseKeys: string[];
  pauseReasons: string[];
  specPaused: boolean;
  replicas: { spec: number; status: number; updated: number };
}

export function readRolloutFacts(obj: KubeObject): RolloutFacts {
  const status = obj.status ?? {};
  const conds = Array.isArray(status.pauseConditions) ? (status.pauseConditions as unknown[]) : [];
  const pauseKeys: string[] = [];
  const pauseReasons: string[] = [];
  for (const c of conds) {
    const reason = stringAt(c, "reason") ?? "Unknown";
    pauseReasons.push(reason);
    pauseKeys.push(`${reason}@${stringAt(c, "startTime") ?? ""}`);
  }
  const revision = obj.metadata.annotations?.[REVISION_ANNOTATION];
  return {
    revision: revision && revision.length > 0 ? revision : undefined,
    podHash: stringAt(status, "currentPodHash"),
    stableRS: stringAt(status, "stableRS"),
    stepHash: stringAt(status, "currentStepHash"),
    stepIndex: numberAt(status, "currentStepIndex"),
    phase: stringAt(status, "phase"),
    message: stringAt(status, "message"),
    aborted: fieldAt(status, "abort") === true,
    abortedAt: stringAt(status, "abortedAt"),
    promoteFull: fieldAt(status, "promoteFull") === true,
    pauseKeys,
    pauseReasons,
    specPaused: fieldAt(obj.spec, "paused") === true,
    // Zero counts are omitted by the controller (omitempty); spec.replicas defaults to 1.
    replicas: {
      spec: numberAt(obj.spec, "replicas") ?? 1,
      status: numberAt(status, "replicas") ?? 0,
      updated: numberAt(status, "updatedReplicas") ?? 0,
    },
  };
}

/** The state of a Rollout seen for the first time with nothing to compare against (a baseline). */
export function extractRolloutState(obj: KubeObject): RolloutState {
  const f = readRolloutFacts(obj);
  return {
    v: 1,
    revision: f.revision,
    podHash: f.podHash,
    stableRS: f.stableRS,
    stepHash: f.stepHash,
    stepIndex: f.stepIndex,
    phase: f.phase,
    message: f.message,
    run: 0,
    aborted: f.aborted,
    pauseKeys: f.pauseKeys,
    specPaused: f.specPaused,
    specPauses: 0,
    replicas: f.replicas,
    scalingChanges: 0,
  };
}

/** The state of "nothing yet": what a newly created Rollout (watch ADDED) is compared against. */
export const EMPTY_ROLLOUT_STATE: RolloutState = Object.freeze({
  v: 1,
  run: 0,
  aborted: false,
  pauseKeys: Object.freeze([]) as unknown as string[],
  specPaused: false,
  specPauses: 0,
  replicas: Object.freeze({}),
  scalingChanges: 0,
}) as RolloutState;

const optString = (v: unknown) => v === undefined || typeof v === "string";
const optNumber = (v: unknown) => v === undefined || (typeof v === "number" && Number.isFinite(v));

/** Validates a saved state (e.g. read back from Redis); undefined when it is not one this version understands. */
export function parseRolloutState(value: unknown): RolloutState | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const s = value as Record<string, unknown>;
  const replicas = s.replicas as Record<string, unknown> | undefined;
  const ok =
    s.v === 1 &&
    optString(s.revision) &&
    optString(s.podHash) &&
    optString(s.stableRS) &&
    optString(s.stepHash) &&
    optNumber(s.stepIndex) &&
    optString(s.phase) &&
    optString(s.message) &&
    typeof s.run === "number" &&
    typeof s.aborted === "boolean" &&
    Array.isArray(s.pauseKeys) &&
    s.pauseKeys.every((k) => typeof k === "string") &&
    typeof s.specPaused === "boolean" &&
    typeof s.specPauses === "number" &&
    typeof replicas === "object" &&
    replicas !== null &&
    optNumber(replicas.spec) &&
    optNumber(replicas.status) &&
    optNumber(replicas.updated) &&
    typeof s.scalingChanges === "number";
  return ok ? (value as RolloutState) : undefined;
}
