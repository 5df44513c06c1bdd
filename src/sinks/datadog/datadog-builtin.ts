// Built-in Datadog events: "<namespace>/<rollout>: <headline>" as title, the message, state and failed metrics as
// text, the alert type from the trigger's outcome (error for an abort or a failed analysis, warning for an analysis
// error, success for a completion, info otherwise), tags for the Rollout, and one aggregation key per revision
// ("argo-rollouts/<namespace>/<rollout>/<revision>") so a revision's events roll up together.
import type { Outcome, TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { DatadogTemplateSpec } from "./datadog-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const ALERT_TYPE: Record<Outcome, string> = {
  failure: "error",
  warning: "warning",
  success: "success",
  progress: "info",
  paused: "info",
  info: "info",
};

export function builtinDatadogTemplate(p: TriggerPresentation): DatadogTemplateSpec {
  return {
    title: `${REF}: ${p.headline}`,
    text:
      `${p.message}\n\nState: ${p.state}\n` +
      "{{#each failedMetrics}}Metric {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}",
    alertType: p.trigger === "on-rollout-completed" ? "success" : ALERT_TYPE[p.outcome],
    tags:
      "source:argo-rollouts,kube_namespace:{{rollout.metadata.namespace}},rollout:{{rollout.metadata.name}}," +
      "rollout_revision:{{revision}},trigger:{{trigger}}",
    aggregationKey: `argo-rollouts/${REF}/{{revision}}`,
  };
}
