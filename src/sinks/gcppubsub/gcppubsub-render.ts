// Renders the `gcppubsub:` sections. The data is the template's `message`, as upstream publishes it (`gcppubsub.data`,
// an extension, wins). Attributes are upstream's: the last template with attributes gives them all (upstream
// replaces the map per template), each value rendered; one that renders empty is left out (upstream sends the
// unrendered template text then). Without any section and without a message, the trigger's built-in template:
// a JSON event as data and attributes to filter on.
import type { EscapeMode } from "../../templates/escaping.ts";
import {
  hasSection,
  lastNonEmpty,
  looksLikeJson,
  parseJsonField,
  renderField,
} from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { GcpPubsubMessage, GcpPubsubServiceConfig, GcpPubsubTemplateSpec } from "./gcppubsub-types.ts";

const ATTRS = "gcppubsub.attributes.";

export function gcppubsubTemplateSources(spec: GcpPubsubTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(spec.attributes ?? {})) out.push([`attributes.${k}`, v]);
  if (typeof spec.data === "string") out.push(["data", spec.data]);
  return out;
}

export const gcppubsubEscapeMode = (field: string, source: string): EscapeMode =>
  field === "data" && looksLikeJson(source) ? "json" : "none";

export function renderGcpPubsub(input: RenderInput<GcpPubsubServiceConfig>): GcpPubsubMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "gcppubsub."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { data: message.value };
  const templates = own.length ? own : input.builtin();
  const out: GcpPubsubMessage = { data: message?.value ?? "" };
  const data = lastNonEmpty(templates, "gcppubsub.data", ctx);
  if (data) {
    const source = templates.find((t) => t.name === data.template)?.spec.gcppubsub?.data ?? "";
    if (looksLikeJson(source)) parseJsonField(data, "gcppubsub.data", "any");
    out.data = data.value;
  }
  const withAttributes = templates.filter((t) => [...t.fields.keys()].some((k) => k.startsWith(ATTRS)));
  const last = withAttributes[withAttributes.length - 1];
  if (last) {
    const attributes: Record<string, string> = {};
    for (const path of last.fields.keys()) {
      if (!path.startsWith(ATTRS)) continue;
      const value = renderField(last, path, ctx);
      if (value !== undefined && value !== "") attributes[path.slice(ATTRS.length)] = value;
    }
    if (Object.keys(attributes).length) out.attributes = attributes;
  }
  return out;
}
