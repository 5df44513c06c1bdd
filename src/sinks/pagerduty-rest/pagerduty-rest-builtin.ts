// Built-in PagerDuty (REST) templates, like the Events v2 ones: alerting triggers (abort, analysis failed/error) open
// an incident per revision (incident key "<namespace>/<rollout>/<revision>", urgency high for errors, low for
// warnings); informational triggers open a low-urgency incident with a per-trigger key; a completion resolves the
// revision's incident and every incident opened for the Rollout (incidentGroup "<namespace>/<rollout>").
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { PagerDutyRestTemplateSpec } from "./pagerduty-rest-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

export function builtinPagerDutyRestTemplate(p: TriggerPresentation): PagerDutyRestTemplateSpec {
  const resolve = p.pagerduty.eventAction === "resolve";
  return {
    title: `[${REF}] revision {{revision}}: ${p.headline}`,
    body:
      `${p.message}\n\nRollout: ${REF}\nRevision: {{revision}}\nState: ${p.state}\n` +
      "{{#each failedMetrics}}Metric {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}",
    urgency: p.pagerduty.severity === "error" || p.pagerduty.severity === "critical" ? "high" : "low",
    incidentKey: p.pagerduty.alert || resolve ? `${REF}/{{revision}}` : `${REF}/{{revision}}/{{trigger}}`,
    action: resolve ? "resolve" : "trigger",
    incidentGroup: REF,
  };
}
