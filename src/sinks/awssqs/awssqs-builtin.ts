// Built-in SQS messages: the body is the JSON event of common/builtin-event.ts, with String attributes a consumer
// can filter on (trigger, outcome, namespace, rollout, revision) and the Rollout as the FIFO message group.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { builtinEventAttributes, builtinEventJson } from "../common/builtin-event.ts";
import type { AwsSqsTemplateSpec } from "./awssqs-types.ts";

export function builtinAwsSqsTemplate(p: TriggerPresentation): AwsSqsTemplateSpec {
  return {
    body: builtinEventJson(p),
    messageAttributes: builtinEventAttributes(p),
    messageGroupId: "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}",
  };
}
