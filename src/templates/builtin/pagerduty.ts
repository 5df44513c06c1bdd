// Built-in PagerDuty Events v2 templates. Alerting triggers (abort, analysis failed/error) trigger an alert with
// dedup key "<namespace>/<rollout>/<revision>"; completion of that revision resolves it. Informational triggers
// (only sent when a subscription asks for them) use a per-trigger key with severity info, so they never merge
// into, or downgrade, the revision's alert.
import type { PagerDutyTemplateSpec } from "../../config/types.ts";
import type { TriggerPresentation } from "./trigger-presentation.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
export const PAGERDUTY_DEDUP_KEY = `${REF}/{{revision}}`;

export function builtinPagerDutyTemplate(p: TriggerPresentation): PagerDutyTemplateSpec {
  return {
    summary: `[${REF}] revision {{revision}}: ${p.headline}{{#if statusMessage}} — {{truncate statusMessage 600}}{{/if}}`,
    severity: p.pagerduty.severity,
    source: REF,
    component: "{{rollout.metadata.name}}",
    group: "{{rollout.metadata.namespace}}",
    class: "{{trigger}}",
    eventAction: p.pagerduty.eventAction,
    dedupKey: p.pagerduty.alert ? PAGERDUTY_DEDUP_KEY : `${PAGERDUTY_DEDUP_KEY}/{{trigger}}`,
    customDetails:
      '{"trigger":{{json trigger}},"rollout":{{json (print rollout.metadata.namespace "/" rollout.metadata.name)}},' +
      '"revision":{{json revision}},"strategy":{{json strategy}},"step":{{json step}},"images":{{json images}},' +
      '"statusMessage":{{json statusMessage}},"analysisRun":{{json analysisRun.metadata.name}},' +
      '"failedMetrics":{{json failedMetrics}},"time":{{json time}} }',
  };
}
