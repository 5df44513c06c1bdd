// Built-in Pub/Sub messages: the JSON event of common/builtin-event.ts as the data, and attributes subscribers can
// filter on (trigger, outcome, namespace, rollout, revision).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { builtinEventAttributes, builtinEventJson } from "../common/builtin-event.ts";
import type { GcpPubsubTemplateSpec } from "./gcppubsub-types.ts";

export function builtinGcpPubsubTemplate(p: TriggerPresentation): GcpPubsubTemplateSpec {
  return { data: builtinEventJson(p), attributes: builtinEventAttributes(p) };
}
