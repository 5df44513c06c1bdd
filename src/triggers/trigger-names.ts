// The built-in lifecycle triggers. Upstream Argo Rollouts names are kept so existing annotations work unchanged.

export const ROLLOUT_TRIGGERS = [
  "on-rollout-updated",
  "on-rollout-step-completed",
  "on-rollout-paused",
  "on-rollout-resumed",
  "on-rollout-completed",
  "on-rollout-aborted",
  "on-scaling-replica-set",
] as const;

export const ANALYSIS_RUN_TRIGGERS = [
  "on-analysis-run-started",
  "on-analysis-run-completed",
  "on-analysis-run-failed",
  "on-analysis-run-error",
] as const;

export type RolloutTrigger = (typeof ROLLOUT_TRIGGERS)[number];
export type AnalysisRunTrigger = (typeof ANALYSIS_RUN_TRIGGERS)[number];
export type BuiltinTrigger = RolloutTrigger | AnalysisRunTrigger;

export const BUILTIN_TRIGGERS: readonly BuiltinTrigger[] = [...ROLLOUT_TRIGGERS, ...ANALYSIS_RUN_TRIGGERS];

/** Alternative names accepted in subscriptions and config, mapped to the built-in they mean. */
export const TRIGGER_ALIASES: Readonly<Record<string, BuiltinTrigger>> = {
  "on-analysis-run-running": "on-analysis-run-started",
};

/** Triggers that are never sent unless a subscription names them explicitly (not part of default triggers). */
export const OPT_IN_TRIGGERS: readonly BuiltinTrigger[] = ["on-scaling-replica-set"];

export function canonicalTrigger(name: string): string {
  return TRIGGER_ALIASES[name] ?? name;
}

export function isBuiltinTrigger(name: string): name is BuiltinTrigger {
  return (BUILTIN_TRIGGERS as readonly string[]).includes(canonicalTrigger(name));
}
