// The built-in event document of the message-bus types (NATS, AWS SQS, Google Cloud Pub/Sub): one JSON event per
// notification, for programs rather than people (trigger, outcome, Rollout, revision, state, the readable headline
// and message, the status message, failed metrics, time), and the attributes a consumer can filter on.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";

/** The JSON event (a Handlebars template; its values JSON-escaped by the type's escaping). */
export function builtinEventJson(p: TriggerPresentation): string {
  return (
    `{"trigger":"${p.trigger}","outcome":"${p.outcome}",` +
    `"rollout":{"namespace":"{{rollout.metadata.namespace}}","name":"{{rollout.metadata.name}}"},` +
    `"revision":"{{revision}}","state":"${p.state}","headline":"${p.headline}","message":"${p.message}",` +
    `"statusMessage":"{{statusMessage}}","failedMetrics":[` +
    `{{#each failedMetrics}}{{#unless @first}},{{/unless}}{"name":"{{name}}","phase":"{{phase}}",` +
    `"value":"{{value}}","condition":"{{condition}}"}{{/each}}],"time":"{{time}}"}`
  );
}

/** Attributes (SQS message attributes, Pub/Sub attributes) a consumer can filter on, as templates. */
export function builtinEventAttributes(p: TriggerPresentation): Record<string, string> {
  return {
    trigger: p.trigger,
    outcome: p.outcome,
    namespace: "{{rollout.metadata.namespace}}",
    rollout: "{{rollout.metadata.name}}",
    revision: "{{revision}}",
  };
}
