// How a configured trigger behaves differently here than in Argo Rollouts, as of this version. `migrate` reports
// each; docs/migrating.md lists them with their reasons. Keep this in step with src/triggers: when a difference
// is fixed there, its rule goes here (and its line in docs/migrating.md).
import type { TriggerCondition } from "../config/types.ts";
import { isBuiltinTrigger } from "../triggers/trigger-names.ts";

export interface TriggerDifference {
  /** Condition index, when the difference is about one condition. */
  index?: number;
  /** The condition's field it is about (default `when`). */
  field?: "when" | "oncePer";
  message: string;
}

/**
 * Triggers Argo Rollouts sends when its controller records the event of the same name (on-<kebab(reason)>)
 * which are not built-in triggers here: the event reason each comes from.
 */
export const UPSTREAM_ONLY_EVENT_TRIGGERS: Readonly<Record<string, string>> = {
  "on-analysis-run-successful": "AnalysisRunSuccessful",
  "on-analysis-run-inconclusive": "AnalysisRunInconclusive",
  "on-rollout-healthy": "RolloutHealthy",
  "on-rollout-not-completed": "RolloutNotCompleted",
  "on-rollout-deleted": "RolloutDeleted",
  "on-rollout-added-to-informer": "RolloutAddedToInformer",
  "on-new-replica-set-created": "NewReplicaSetCreated",
  "on-replica-set-create-error": "ReplicaSetCreateError",
  "on-reconciliation-error": "ReconciliationError",
  "on-traffic-weight-updated": "TrafficWeightUpdated",
  "on-switch-service": "SwitchService",
  "on-step-plugin-transition": "StepPluginTransition",
  "on-target-group-verified": "TargetGroupVerified",
  "on-target-group-unverified": "TargetGroupUnverified",
  "on-target-group-verify-error": "TargetGroupVerifyError",
};

export function triggerDifferences(
  name: string,
  conditions: readonly TriggerCondition[],
): TriggerDifference[] {
  const out: TriggerDifference[] = [];
  const builtin = isBuiltinTrigger(name);
  const reason = UPSTREAM_ONLY_EVENT_TRIGGERS[name];
  if (reason) {
    out.push({
      message: `Argo Rollouts sends this trigger when its controller records a ${reason} event; that event is not detected here, so ${
        conditions.some((c) => c.when)
          ? "it is sent only when a condition's `when` becomes true"
          : "it is never sent (no condition has a `when`)"
      }`,
    });
  }
  if (name === "on-analysis-run-completed") {
    out.push({
      message:
        "not an Argo Rollouts event (its AnalysisRun events are on-analysis-run-successful/-failed/-error/-inconclusive): Argo Rollouts never sends it on an event, this service sends it when an AnalysisRun completes",
    });
  }
  if (name === "on-rollout-resumed") {
    out.push({
      message:
        "also sent when `kubectl argo rollouts promote` ends a pause, where Argo Rollouts records no RolloutResumed (the promote clears the pause itself)",
    });
  }
  conditions.forEach((c, index) => {
    if (!builtin) return;
    if (c.when) {
      out.push({
        index,
        message:
          "`when` on a built-in trigger sends at most once per event of the trigger (once per revision before any event): a condition that turns false and true again within a revision is not sent again, where Argo Rollouts' condition path sends it again (argoproj/argo-rollouts#2011); where both of upstream's paths would send for the same event, one notification is sent",
      });
    }
    if (c.oncePer) {
      out.push({
        index,
        field: "oncePer",
        message:
          "`oncePer` on a built-in trigger also limits its event path (Argo Rollouts' event path ignores `oncePer`)",
      });
    }
  });
  return out;
}
