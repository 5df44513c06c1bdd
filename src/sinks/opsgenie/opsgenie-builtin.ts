// Built-in Opsgenie templates, like the PagerDuty ones: alerting triggers (abort, analysis failed/error) create an
// alert with alias "<namespace>/<rollout>/<revision>" (P2 for errors, P3 for warnings); informational triggers
// (only sent when a subscription asks for them) create a P5 alert with a per-trigger alias; a completion closes the
// revision's alert and every alert created for the Rollout (alertGroup "<namespace>/<rollout>").
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { OpsgenieTemplateSpec } from "./opsgenie-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const PRIORITY: Record<string, string> = { critical: "P1", error: "P2", warning: "P3", info: "P5" };

export function builtinOpsgenieTemplate(p: TriggerPresentation): OpsgenieTemplateSpec {
  const close = p.pagerduty.eventAction === "resolve";
  return {
    description:
      `${p.message}\n\nRollout: ${REF}\nRevision: {{revision}}\nState: ${p.state}\n` +
      "{{#if statusMessage}}Message: {{statusMessage}}\n{{/if}}" +
      "{{#each failedMetrics}}Metric {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}",
    priority: PRIORITY[p.pagerduty.severity] ?? "P3",
    alias: p.pagerduty.alert || close ? `${REF}/{{revision}}` : `${REF}/{{revision}}/{{trigger}}`,
    note: `${p.headline} ({{trigger}})`,
    tags: "argo-rollouts,{{rollout.metadata.namespace}},{{rollout.metadata.name}},{{trigger}}",
    action: close ? "close" : "create",
    alertGroup: REF,
  };
}
