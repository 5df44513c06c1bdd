// Built-in NATS messages: one JSON event per notification, for programs subscribed to the subject
// (common/builtin-event.ts).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { builtinEventJson } from "../common/builtin-event.ts";
import type { NatsTemplateSpec } from "./nats-types.ts";

export function builtinNatsTemplate(p: TriggerPresentation): NatsTemplateSpec {
  return { data: builtinEventJson(p) };
}
