// What to send for a detected transition: the ConfigMap `trigger.<name>` conditions that apply, or the built-in
// default template. Pure.
//
// Built-in triggers work with no configuration (DEFAULT_TEMPLATES, named like upstream's notifications-install).
// A ConfigMap entry for a built-in trigger picks the templates (`send`); a `when` on it narrows the built-in:
// that condition sends only when it holds for the transition's snapshot. Custom triggers send the templates of
// the condition that fired (Transition.condition).
import type { NotifierConfig } from "../config/types.ts";
import type { KubeObject } from "../kube/objects.ts";
import { compileCondition, conditionActivation, evaluateOncePer, evaluateWhen } from "./conditions.ts";
import type { CustomTriggerProblem } from "./custom-triggers.ts";
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
}

export interface PlanTriggerOptions {
  now: Date;
  /** For AnalysisRun transitions: the owning Rollout (the `rollout` variable of conditions and templates). */
  rollout?: KubeObject;
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

  if (!isBuiltinTrigger(trigger)) {
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

  const snapshot = transition.snapshot;
  const isRun = snapshot.kind === "AnalysisRun";
  let activation: Record<string, unknown> | undefined;
  const vars = () => {
    activation ??= conditionActivation({
      rollout: isRun ? (opts.rollout ?? null) : snapshot,
      analysisRun: isRun ? snapshot : null,
      now: opts.now,
      context: config.context,
    });
    return activation;
  };

  const plans: TriggerPlan[] = [];
  conditions.forEach((cond, index) => {
    try {
      if (cond.when) {
        const r = evaluateWhen(compileCondition(cond.when, { trigger, index, field: "when" }), vars());
        if (r.error) problems.push({ trigger, index, message: `when: ${r.error}` });
        if (!r.holds) return;
      }
      const key = conditions.length > 1 ? `${transition.id}:${index}` : transition.id;
      const plan: TriggerPlan = { send: [...cond.send], condition: index, key };
      if (cond.oncePer) {
        const r = evaluateOncePer(
          compileCondition(cond.oncePer, { trigger, index, field: "oncePer" }),
          vars(),
        );
        if (r.error) problems.push({ trigger, index, message: `oncePer: ${r.error}` });
        plan.oncePer = r.value;
        plan.key = `${transition.object.uid}:${trigger}:${index}:once:${r.value}`;
      }
      plans.push(plan);
    } catch (err) {
      problems.push({ trigger, index, message: (err as Error).message });
    }
  });
  return { plans, problems };
}
