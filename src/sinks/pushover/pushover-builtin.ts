// Built-in Pushover messages: the event as the title, the message with the revision's state and failed metrics,
// high priority (1: bypasses quiet hours) for alerts (abort, failed/errored analysis), normal otherwise.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { PushoverTemplateSpec } from "./pushover-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

export function builtinPushoverTemplate(p: TriggerPresentation): PushoverTemplateSpec {
  return {
    title: `${REF}: ${p.headline}`,
    message:
      `${p.message}\nRevision {{revision}} · ${p.state}` +
      "{{#if failedMetrics}}\n{{#each failedMetrics}}• {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}{{/if}}",
    priority: p.pagerduty.alert && p.pagerduty.eventAction === "trigger" ? "1" : "0",
  };
}
