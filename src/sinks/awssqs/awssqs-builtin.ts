// Built-in SQS messages: the body is one JSON event per notification (as NATS: trigger, outcome, Rollout, revision,
// state, headline, message, status message, failed metrics), with String attributes a consumer can filter on
// (trigger, outcome, namespace, rollout, revision) and the Rollout as the FIFO message group.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { AwsSqsTemplateSpec } from "./awssqs-types.ts";

export function builtinAwsSqsTemplate(p: TriggerPresentation): AwsSqsTemplateSpec {
  return {
    body:
      `{"trigger":"${p.trigger}","outcome":"${p.outcome}",` +
      `"rollout":{"namespace":"{{rollout.metadata.namespace}}","name":"{{rollout.metadata.name}}"},` +
      `"revision":"{{revision}}","state":"${p.state}","headline":"${p.headline}","message":"${p.message}",` +
      `"statusMessage":"{{statusMessage}}","failedMetrics":[` +
      `{{#each failedMetrics}}{{#unless @first}},{{/unless}}{"name":"{{name}}","phase":"{{phase}}",` +
      `"value":"{{value}}","condition":"{{condition}}"}{{/each}}],"time":"{{time}}"}`,
    messageAttributes: {
      trigger: p.trigger,
      outcome: p.outcome,
      namespace: "{{rollout.metadata.namespace}}",
      rollout: "{{rollout.metadata.name}}",
      revision: "{{revision}}",
    },
    messageGroupId: "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}",
  };
}
