// Built-in Pub/Sub messages: a JSON event as the data (trigger, outcome, Rollout, revision, state, the readable
// headline and message, the status message and failed metrics), and attributes subscribers can filter on
// (trigger, outcome, namespace, rollout, revision).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { GcpPubsubTemplateSpec } from "./gcppubsub-types.ts";

export function builtinGcpPubsubTemplate(p: TriggerPresentation): GcpPubsubTemplateSpec {
  return {
    data:
      `{"trigger":"${p.trigger}","outcome":"${p.outcome}",` +
      `"rollout":{"namespace":"{{rollout.metadata.namespace}}","name":"{{rollout.metadata.name}}"},` +
      `"revision":"{{revision}}","state":"${p.state}","headline":"${p.headline}","message":"${p.message}",` +
      `"statusMessage":"{{statusMessage}}","failedMetrics":[` +
      `{{#each failedMetrics}}{{#unless @first}},{{/unless}}{"name":"{{name}}","phase":"{{phase}}",` +
      `"value":"{{value}}","condition":"{{condition}}"}{{/each}}],"time":"{{time}}"}`,
    attributes: {
      trigger: p.trigger,
      outcome: p.outcome,
      namespace: "{{rollout.metadata.namespace}}",
      rollout: "{{rollout.metadata.name}}",
      revision: "{{revision}}",
    },
  };
}
