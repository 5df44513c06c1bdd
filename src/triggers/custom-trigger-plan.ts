// What to send for a detected transition: the ConfigMap `trigger.<name>` conditions that apply, or the built-in
// default template. Pure.
//
// Built-in triggers work with no configuration (DEFAULT_TEMPLATES, named like upstream's notifications-install).
// A ConfigMap entry for a built-in trigger picks the templates (`send`). On the event path (a detected built-in
// transition) a condition without `when` always sends, one with a `when` sends when it holds for the object as
// upstream passes it for that event (Transition.eventObject, see event-view.ts) — upstream's record.go
// sendNotifications. The same conditions also send on the condition path when their `when` becomes true
// (custom-triggers.ts); both use conditionSendKey, so where both would send the same, one is sent. Custom
// triggers and condition-path transitions send the templates of the condition that fired
// (Transition.condition).
import type { NotifierConfig, TriggerCondition } from "../config/types.ts";
import type { KubeObject } from "../kube/objects.ts";
import { type ConditionActivation, compileCondition, evaluateOncePer, evaluateWhen } from "./conditions.ts";
import {
  type CustomTriggerProblem,
  conditionSendKey,
  conditionSubject,
  eventActivation,
} from "./custom-triggers.ts";
import { objectIdentity } from "./identity.ts";
import type { Transition } from "./transition.ts";
import { type BuiltinTrigger, canonicalTrigger, isBuiltinTrigger } from "./trigger-names.ts";

/** Default template per built-in trigger (upstream names where upstream has the trigger). */
export const DEFAULT_TEMPLATES: Readonly<Record<BuiltinTrigger, string>> = {
  "on-rollout-updated": "rollout-updated",
  "on-rollout-step-completed": "rollout-step-completed",
  "on-rollout-paused": "rollout-paused",
  "on-rollout-resumed": "rollout-resumed",
  "on-rollout-completed": "rollout-completed",
  "on-rollout-aborted": "rollout-aborted",
  "on-scaling-replica-set": "scaling-replicaset",
  "on-analysis-run-started": "analysis-run-running",
  "on-analysis-run-completed": "analysis-run-completed",
  "on-analysis-run-failed": "analysis-run-failed",
  "on-analysis-run-error": "analysis-run-error",
};

export interface TriggerPlan {
  /** Template names, in order. */
  send: string[];
  /** The evaluated oncePer value, when the condition has one. */
  oncePer?: string;
  /** Index of the ConfigMap condition; absent for the built-in default. */
  condition?: number;
  /**
   * Identity of this send: use it (plus the destination) as the job id. The transition id, or for a condition
   * with oncePer `<uid>:<trigger>:<i>:once:<value>` so it is sent once per value.
   */
  key: string;
  /**
   * The condition's `when` or `oncePer` was not evaluated in time (condition-deadline.ts: the namespace's render
   * share, the detection's limit): whether it would have sent is unknown, so the plan's notifications are
   * dead-lettered with this reason instead of being left out unseen.
   */
  notEvaluated?: string;
}

export interface PlanTriggerOptions {
  now: Date;
  /** For AnalysisRun transitions: the owning Rollout (the `rollout` variable of conditions and templates). */
  rollout?: KubeObject;
  /** The Rollout's AnalysisRuns of the transition's revision (upstream's `analysisRuns` variable). */
  analysisRuns?: KubeObject[];
}

export interface PlanTriggerResult {
  plans: TriggerPlan[];
  problems: CustomTriggerProblem[];
}

export function planTrigger(
  transition: Transition,
  config: Pick<NotifierConfig, "triggers" | "context">,
  opts: PlanTriggerOptions,
): PlanTriggerResult {
  const trigger = canonicalTrigger(transition.trigger);
  const conditions = config.triggers[trigger];
  const problems: CustomTriggerProblem[] = [];

  if (!isBuiltinTrigger(trigger) || transition.path === "condition") {
    const index = transition.condition ?? 0;
    const cond = conditions?.[index];
    if (!cond) {
      problems.push({ trigger, index, message: "condition no longer configured; nothing sent" });
      return { plans: [], problems };
    }
    return { plans: [{ send: [...cond.send], condition: index, key: transition.id }], problems };
  }

  if (!conditions || conditions.length === 0) {
    return { plans: [{ send: [DEFAULT_TEMPLATES[trigger]], key: transition.id }], problems };
  }

  // The event path: `when` sees the object as upstream holds it when it records the event.
  let activation: ConditionActivation | undefined;
  const vars = () => {
    activation ??= eventActivation(transition, config, opts);
    return activation;
  };
  // the object the condition path evaluates this condition on (its oncePer keys): the AnalysisRun for
  // conditions on `analysisRun`, else the Rollout
  const subjectUid = (cond: TriggerCondition) => {
    const ref =
      conditionSubject(cond) === "AnalysisRun"
        ? transition.object
        : (transition.rollout ?? transition.object);
    return objectIdentity(ref);
  };

  const plans: TriggerPlan[] = [];
  conditions.forEach((cond, index) => {
    try {
      let key = conditions.length > 1 ? `${transition.id}:${index}` : transition.id;
      if (cond.when) {
        const r = evaluateWhen(compileCondition(cond.when, { trigger, index, field: "when" }), vars());
        if (r.error) problems.push({ trigger, index, message: `when: ${r.error}` });
        key = conditionSendKey(transition.id, subjectUid(cond), trigger, index, cond, undefined);
        if (r.late) {
          plans.push({ send: [...cond.send], condition: index, key, notEvaluated: `when: ${r.error}` });
          return;
        }
        if (!r.holds) return;
      }
      const plan: TriggerPlan = { send: [...cond.send], condition: index, key };
      if (cond.oncePer) {
        const r = evaluateOncePer(
          compileCondition(cond.oncePer, { trigger, index, field: "oncePer" }),
          vars(),
        );
        if (r.error) problems.push({ trigger, index, message: `oncePer: ${r.error}` });
        if (r.late) plan.notEvaluated = `oncePer: ${r.error}`;
        plan.oncePer = r.value;
        plan.key = cond.when
          ? conditionSendKey(transition.id, subjectUid(cond), trigger, index, cond, r.value)
          : `${transition.object.uid}:${trigger}:${index}:once:${r.value}`;
      }
      plans.push(plan);
    } catch (err) {
      problems.push({ trigger, index, message: (err as Error).message });
    }
  });
  return { plans, problems };
}
