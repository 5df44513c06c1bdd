// Built-in PagerDuty Events v2 templates. Alerting triggers (abort, analysis failed/error) trigger an alert with
// dedup key "<namespace>/<rollout>/<revision>". Informational triggers (only sent when a subscription asks for
// them) use a per-trigger key with severity info, so they never merge into, or downgrade, the revision's alert.
// Every event carries incidentGroup "<namespace>/<rollout>": the completion of any revision (including the new
// revision Argo makes when an aborted one is rolled back to stable) resolves its own key and every alert the sink
// triggered for the Rollout, so revision 2's incident closes when the fixed revision 3 completes.

import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { PagerDutyTemplateSpec } from "./pagerduty-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
export const PAGERDUTY_DEDUP_KEY = `${REF}/{{revision}}`;
export const PAGERDUTY_INCIDENT_GROUP = REF;

export function builtinPagerDutyTemplate(p: TriggerPresentation): PagerDutyTemplateSpec {
  return {
    // The failed metrics say why (name, measured value, the condition it failed); else the Rollout's message.
    summary:
      `[${REF}] revision {{revision}}: ${p.headline}` +
      "{{#if failedMetrics}} — {{#each failedMetrics}}{{#if @index}}; {{/if}}metric {{name}} {{phase}}" +
      "{{#if value}} (value {{value}}){{/if}}: {{condition}}{{/each}}" +
      "{{else if statusMessage}} — {{truncate statusMessage 600}}{{/if}}",
    severity: p.pagerduty.severity,
    source: REF,
    component: "{{rollout.metadata.name}}",
    group: "{{rollout.metadata.namespace}}",
    class: "{{trigger}}",
    eventAction: p.pagerduty.eventAction,
    dedupKey: p.pagerduty.alert ? PAGERDUTY_DEDUP_KEY : `${PAGERDUTY_DEDUP_KEY}/{{trigger}}`,
    incidentGroup: PAGERDUTY_INCIDENT_GROUP,
    customDetails:
      '{"trigger":{{json trigger}},"rollout":{{json (print rollout.metadata.namespace "/" rollout.metadata.name)}},' +
      '"revision":{{json revision}},"strategy":{{json strategy}},"step":{{json step}},"images":{{json images}},' +
      '"statusMessage":{{json statusMessage}},"analysisRun":{{json analysisRun.metadata.name}},' +
      '"failedMetrics":{{json failedMetrics}},"time":{{json time}} }',
  };
}
