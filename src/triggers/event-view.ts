// The Rollout as Argo Rollouts holds it when it records the event behind a built-in trigger: what upstream's
// event path passes to `when` and to the templates (utils/record/record.go sendNotifications gets the object
// given to recorder.Eventf). The controller records most events on `c.rollout`, the object it read at the
// start of the reconcile, before it patches the status the event is about (rollout/*.go):
//   on-rollout-updated         after the Update that set the revision annotation: the object we detect on
//   on-rollout-step-completed  canary.go syncRolloutStatusCanary: before the status write, so
//                              status.currentStepIndex is the index of the step that completed (0-based);
//                              upstream's template prints `add .rollout.status.currentStepIndex 1`
//   on-rollout-paused/resumed  sync.go sendStateChangeEvents: after the patch, but on c.rollout: the status
//                              before it (no pause conditions yet / still paused)
//   on-rollout-completed       sync.go promoteStable: before the write (old stableRS, phase not yet Healthy)
//   on-rollout-aborted         sync.go calculateRolloutConditions: before the write. A user's abort
//                              (status.abort patched by the CLI) is read by the controller as it is; an
//                              abort by the controller (analysis, deadline) is written with phase Degraded,
//                              so the object it recorded the event on is the one before that write
//   on-scaling-replica-set     sync.go scaleReplicaSet: before the status write
// We rebuild that object from the one we detect the change on, with the status fields detection remembers
// of the previous one (rollout-state.ts): phase, message, pauseConditions, stableRS, currentStepIndex, abort.
// Other status fields (conditions, replica counts, …) are the current ones.
import type { KubeObject } from "../kube/objects.ts";
import type { RolloutState } from "./rollout-state.ts";
import type { RolloutTrigger } from "./trigger-names.ts";

export function rolloutEventView(
  current: KubeObject,
  prev: RolloutState,
  trigger: RolloutTrigger,
  /** on-rollout-step-completed: the 1-based step that completed. */
  step?: number,
): KubeObject {
  if (trigger === "on-rollout-updated") return current;
  const status = current.status ?? {};
  if (trigger === "on-rollout-aborted" && status.abort === true && status.phase !== "Degraded")
    return current;
  const before: Record<string, unknown> = { ...status };
  const set = (key: string, value: unknown) => {
    if (value === undefined) delete before[key];
    else before[key] = value;
  };
  set("phase", prev.phase);
  set("message", prev.message);
  set("stableRS", prev.stableRS);
  set("abort", prev.aborted ? true : undefined);
  set(
    "pauseConditions",
    prev.pauseKeys.length > 0
      ? prev.pauseKeys.map((key) => {
          const at = key.lastIndexOf("@");
          const startTime = key.slice(at + 1);
          return startTime ? { reason: key.slice(0, at), startTime } : { reason: key.slice(0, at) };
        })
      : undefined,
  );
  set("currentStepIndex", step !== undefined ? step - 1 : prev.stepIndex);
  return { ...current, status: before };
}
