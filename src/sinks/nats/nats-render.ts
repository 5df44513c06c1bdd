// Renders the `nats:` sections: a template with only a `message` publishes it as upstream does; `nats.data` wins;
// the built-in templates publish a JSON event (its values JSON-escaped, the document checked).
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, looksLikeJson, parseJsonField } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { NatsMessage, NatsServiceConfig, NatsTemplateSpec } from "./nats-types.ts";

export function natsTemplateSources(spec: NatsTemplateSpec): [string, string][] {
  return typeof spec.data === "string" ? [["data", spec.data]] : [];
}

export const natsEscapeMode = (_field: string, source: string): EscapeMode =>
  looksLikeJson(source) ? "json" : "none";

export function renderNats(input: RenderInput<NatsServiceConfig>): NatsMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "nats."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { data: message.value };
  const templates = own.length ? own : input.builtin();
  const data = lastNonEmpty(templates, "nats.data", ctx);
  if (!data) return { data: message?.value ?? "" };
  const source = templates.find((t) => t.name === data.template)?.spec.nats?.data ?? "";
  if (looksLikeJson(source)) parseJsonField(data, "nats.data", "any");
  return { data: data.value };
}
