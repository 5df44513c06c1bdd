// Built-in NATS messages: one JSON event per notification, for programs subscribed to the subject (trigger, outcome,
// Rollout, revision, state, the readable headline and message, the status message and failed metrics).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { NatsTemplateSpec } from "./nats-types.ts";

export function builtinNatsTemplate(p: TriggerPresentation): NatsTemplateSpec {
  return {
    data:
      `{"trigger":"${p.trigger}","outcome":"${p.outcome}",` +
      `"rollout":{"namespace":"{{rollout.metadata.namespace}}","name":"{{rollout.metadata.name}}"},` +
      `"revision":"{{revision}}","state":"${p.state}","headline":"${p.headline}","message":"${p.message}",` +
      `"statusMessage":"{{statusMessage}}","failedMetrics":[` +
      `{{#each failedMetrics}}{{#unless @first}},{{/unless}}{"name":"{{name}}","phase":"{{phase}}",` +
      `"value":"{{value}}","condition":"{{condition}}"}{{/each}}],"time":"{{time}}"}`,
  };
}
