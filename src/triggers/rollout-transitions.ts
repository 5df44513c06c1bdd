// Rollout lifecycle detection: (previous state, current object) → transitions in lifecycle order + next state.
// Pure. Follows what the Argo Rollouts controller writes: the revision annotation is set by its own update
// before the status moves; a canary step completion increments status.currentStepIndex by one (and clears the
// CanaryPauseStep condition in the same update); promotion sets status.stableRS = status.currentPodHash and
// jumps the index to the step count (initial deploy, promote --full: no steps completed); an abort sets
// status.abort/abortedAt, clears the pause conditions and puts the index back to 0.
import type { KubeObject } from "../kube/objects.ts";
import { rolloutEventView } from "./event-view.ts";
import { objectIdentity, transitionId } from "./identity.ts";
import {
  EMPTY_ROLLOUT_STATE,
  extractRolloutState,
  type RolloutFacts,
  type RolloutState,
  readRolloutFacts,
} from "./rollout-state.ts";
import { fieldAt, objectRefOf, snapshotOf } from "./snapshot.ts";
import type { Transition } from "./transition.ts";
import type { RolloutTrigger } from "./trigger-names.ts";

export interface RolloutDetection {
  transitions: Transition[];
  state: RolloutState;
}

/** Guards against absurd index jumps in malformed input. */
const MAX_STEPS_PER_CHANGE = 100;

export function detectRolloutTransitions(
  prev: RolloutState | undefined,
  current: KubeObject,
  opts: { baseline: boolean },
): RolloutDetection {
  if (prev === undefined && opts.baseline) return { transitions: [], state: extractRolloutState(current) };
  const p = prev ?? EMPTY_ROLLOUT_STATE;
  const f = readRolloutFacts(current);
  const ident = objectIdentity(current.metadata);
  const ref = objectRefOf(current);
  const snapshot = snapshotOf(current);
  const make = (
    trigger: RolloutTrigger,
    qualifiers: (string | number)[],
    revision: string | undefined,
    detail: string,
    step?: number,
  ): Transition => ({
    id: transitionId(ident, trigger, ...qualifiers),
    trigger,
    object: ref,
    rollout: ref,
    ...(revision !== undefined ? { revision } : {}),
    snapshot,
    eventObject: rolloutEventView(snapshot, p, trigger, step),
    detail,
  });

  // --- the run: one pass through the steps of one (currentPodHash, currentStepHash); see identity.ts ---
  const sameRun = p.podHash === f.podHash && p.stepHash === f.stepHash;
  const newlyAborted = f.aborted && !p.aborted;
  // The controller puts the index back to 0 on abort; seen without the abort (abort → retry between two
  // snapshots), it still means the steps start over.
  const indexWentBack =
    sameRun && f.stepIndex !== undefined && p.stepIndex !== undefined && f.stepIndex < p.stepIndex;
  const runBefore = p.run + (sameRun ? 0 : 1);
  const run = runBefore + (newlyAborted || (indexWentBack && !p.aborted) ? 1 : 0);
  const runKey = `run${run}`;
  const podHash = f.podHash ?? "-";
  const revision = f.revision;

  const updated: Transition[] = [];
  const aborted: Transition[] = [];
  const steps: Transition[] = [];
  const resumed: Transition[] = [];
  const paused: Transition[] = [];
  const scaling: Transition[] = [];
  const completed: Transition[] = [];

  if (f.revision !== undefined && f.revision !== p.revision) {
    const images = containerImages(current);
    const detail = `revision ${f.revision}${images.length > 0 ? ` (${images.join(", ")})` : ""}`;
    updated.push(make("on-rollout-updated", [`r${f.revision}`], f.revision, detail));
  }

  if (newlyAborted) {
    aborted.push(
      make("on-rollout-aborted", [`run${runBefore}`, podHash], revision, abortDetail(current, revision)),
    );
  }

  const fullPromotion = f.stableRS !== undefined && f.stableRS !== p.stableRS && f.stableRS === f.podHash;
  // A new run starts at step 0, or at the end when the new pod hash is the stable one (the controller skips
  // the steps: rollback to stable, steps edited after promotion).
  const fromIndex = sameRun
    ? p.stepIndex
    : f.stableRS !== undefined && f.stableRS === f.podHash
      ? f.stepIndex
      : 0;
  if (
    !f.aborted &&
    !f.promoteFull &&
    !fullPromotion &&
    !indexWentBack &&
    f.stepIndex !== undefined &&
    fromIndex !== undefined &&
    f.stepIndex > fromIndex
  ) {
    const stepList = canarySteps(current);
    const last = Math.min(f.stepIndex, fromIndex + MAX_STEPS_PER_CHANGE);
    for (let i = fromIndex + 1; i <= last; i++) {
      const step = stepList?.[i - 1];
      const of = stepList ? `/${stepList.length}` : "";
      steps.push(
        make(
          "on-rollout-step-completed",
          [runKey, podHash, i],
          revision,
          `step ${i}${of}${step !== undefined ? ` (${describeStep(step)})` : ""}`,
          i,
        ),
      );
    }
  }

  detectPauses(p, f, { unseenAbort: indexWentBack && !f.aborted }, (kind, key, detail) => {
    const t = make(kind, key, revision, detail);
    (kind === "on-rollout-paused" ? paused : resumed).push(t);
  });

  const r = f.replicas;
  const scalingChanged =
    r.spec !== p.replicas.spec || r.status !== p.replicas.status || r.updated !== p.replicas.updated;
  const scalingChanges = scalingChanged ? p.scalingChanges + 1 : p.scalingChanges;
  if (scalingChanged) {
    const counts = `${r.spec}-${r.status}-${r.updated}`;
    scaling.push(
      make(
        "on-scaling-replica-set",
        [`n${scalingChanges}`, counts],
        revision,
        `replicas ${r.spec} (current ${r.status}, updated ${r.updated})`,
      ),
    );
  }

  if (fullPromotion) {
    completed.push(
      make(
        "on-rollout-completed",
        [`r${revision ?? ""}`, f.stableRS!],
        revision,
        `revision ${revision ?? "?"} is stable (${f.stableRS})`,
      ),
    );
  }

  const state: RolloutState = {
    v: 1,
    revision: f.revision ?? p.revision,
    podHash: f.podHash,
    stableRS: f.stableRS,
    stepHash: f.stepHash,
    stepIndex: f.stepIndex,
    phase: f.phase,
    message: f.message,
    run,
    aborted: f.aborted,
    pauseKeys: f.pauseKeys,
    specPaused: f.specPaused,
    specPauses: f.specPaused && !p.specPaused ? p.specPauses + 1 : p.specPauses,
    replicas: r,
    scalingChanges,
  };
  return {
    transitions: [...updated, ...aborted, ...steps, ...resumed, ...paused, ...scaling, ...completed],
    state,
  };
}

/**
 * Pauses come from two places: status.pauseConditions (written by the controller) and spec.paused (a user's
 * `kubectl argo rollouts pause`). At most one paused and one resumed per change, conditions first.
 */
function detectPauses(
  p: RolloutState,
  f: RolloutFacts,
  opts: { unseenAbort: boolean },
  emit: (trigger: "on-rollout-paused" | "on-rollout-resumed", key: string[], detail: string) => void,
): void {
  let pausedDone = false;
  let resumedDone = false;
  const prevKeys = p.pauseKeys;
  const curKeys = f.pauseKeys;
  const overlap = curKeys.some((k) => prevKeys.includes(k));
  // An abort clears the pause conditions (in the controller's update after the abort): that is not a resume.
  const mayResume = !f.aborted && !p.aborted && !opts.unseenAbort;
  if (prevKeys.length > 0 && (curKeys.length === 0 || !overlap) && mayResume) {
    emit("on-rollout-resumed", ["cond", prevKeys[0]!], `resumed (${reasonOf(prevKeys[0]!)} ended)`);
    resumedDone = true;
  }
  if (curKeys.length > 0 && (prevKeys.length === 0 || !overlap)) {
    emit("on-rollout-paused", ["cond", curKeys[0]!], `paused (${f.pauseReasons.join(", ")})`);
    pausedDone = true;
  }
  if (f.specPaused && !p.specPaused && !pausedDone) {
    emit("on-rollout-paused", ["spec", `n${p.specPauses + 1}`], "paused by a user (spec.paused)");
  }
  if (!f.specPaused && p.specPaused && !resumedDone) {
    emit("on-rollout-resumed", ["spec", `n${p.specPauses}`], "resumed by a user (spec.paused cleared)");
  }
}

function reasonOf(pauseKey: string): string {
  const at = pauseKey.lastIndexOf("@");
  return at >= 0 ? pauseKey.slice(0, at) : pauseKey;
}

/** The controller's message once it has reacted ("RolloutAborted: …"), else a plain account. */
function abortDetail(obj: KubeObject, revision: string | undefined): string {
  const message = obj.status?.message;
  if (obj.status?.phase === "Degraded" && typeof message === "string" && message.length > 0) return message;
  return revision !== undefined ? `update to revision ${revision} aborted` : "aborted";
}

function containerImages(obj: KubeObject): string[] {
  const containers = fieldAt(obj.spec, "template", "spec", "containers");
  if (!Array.isArray(containers)) return [];
  return containers.map((c) => fieldAt(c, "image")).filter((i): i is string => typeof i === "string");
}

function canarySteps(obj: KubeObject): unknown[] | undefined {
  const steps = fieldAt(obj.spec, "strategy", "canary", "steps");
  return Array.isArray(steps) ? steps : undefined;
}

/** "setWeight: 50", "pause: 3s", "pause", "analysis", … — the way `kubectl argo rollouts` names steps. */
export function describeStep(step: unknown): string {
  if (step === null || typeof step !== "object") return "step";
  const [name, value] = Object.entries(step as Record<string, unknown>)[0] ?? ["step", undefined];
  if (typeof value === "number" || typeof value === "string") return `${name}: ${value}`;
  if (name === "pause") {
    const duration = fieldAt(value, "duration");
    return duration !== undefined ? `pause: ${String(duration)}` : "pause";
  }
  return name;
}
