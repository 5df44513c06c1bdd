// How a configured trigger behaves differently here than in Argo Rollouts, as of this version. `migrate` reports
// each; docs/migrating.md lists them with their reasons. Keep this in step with src/triggers: when a difference
// is fixed there, its rule goes here (and its line in docs/migrating.md).
import type { TriggerCondition } from "../config/types.ts";
import { isBuiltinTrigger } from "../triggers/trigger-names.ts";

export interface TriggerDifference {
  /** Condition index, when the difference is about one condition. */
  index?: number;
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

/** Comparisons whose result depends on expr-lang's nil for a missing field. */
const NIL_SENSITIVE = /!=\s*(true|false|nil|'[^']*'|"[^"]*"|\d)|==\s*nil|\?\.|\?\?/;

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
  if (name === "on-rollout-step-completed") {
    out.push({
      message:
        "templates and `when` see the Rollout after the step's status write (status.currentStepIndex already points at the next step); Argo Rollouts renders them with the Rollout as it was before that write, so step numbers differ by one (its default template's `add .rollout.status.currentStepIndex 1` says 2/2 here for the first of two steps)",
    });
  }
  conditions.forEach((c, index) => {
    if (!c.when) return;
    if (builtin) {
      out.push({
        index,
        message:
          "`when` on a built-in trigger is checked only at this service's transition, against the Rollout after the status write; Argo Rollouts checks it against the Rollout before that write and also sends whenever it becomes true on any later update (once per condition and destination, again after it turned false) — e.g. `rollout.status.phase == 'Healthy'` on on-rollout-completed is never true at the transition here",
      });
    }
    if (NIL_SENSITIVE.test(c.when)) {
      out.push({
        index,
        message:
          "a field missing from the object is nil in Argo Rollouts' expr-lang (`x != true` and `x == nil` are true, `?.`/`??` give nil/the default); here such a comparison on a missing field is false",
      });
    }
  });
  return out;
}
