// Renders the `datadog:` sections (title, text, alertType, priority, tags, aggregationKey; values as they are). A
// template without the section takes the built-in's fields, with its own message as the text when it has one.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { DatadogEvent, DatadogServiceConfig, DatadogTemplateSpec } from "./datadog-types.ts";

const FIELDS = ["title", "text", "alertType", "priority", "tags", "aggregationKey"] as const;
/** Bound on the tags one template renders. */
const MAX_TAGS = 100;

export function datadogTemplateSources(spec: DatadogTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const datadogEscapeMode = (_field: string): EscapeMode => "none";

export function renderDatadog(input: RenderInput<DatadogServiceConfig>): DatadogEvent {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "datadog."));
  const templates = own.length ? own : input.builtin();
  const message = lastNonEmpty(input.templates, "message", ctx);
  const r = (k: string) => lastNonEmpty(templates, `datadog.${k}`, ctx)?.value.trim();
  const text = own.length ? (r("text") ?? message?.value) : (message?.value ?? r("text"));
  const event: DatadogEvent = {
    title: r("title") ?? "",
    text: text ?? "",
    tags: (r("tags") ?? "")
      .split(/[,\n]/)
      .map((t) => t.trim())
      .filter(Boolean)
      .slice(0, MAX_TAGS),
  };
  const alertType = r("alertType");
  if (alertType) event.alertType = alertType;
  const priority = r("priority");
  if (priority) event.priority = priority;
  const aggregationKey = r("aggregationKey");
  if (aggregationKey) event.aggregationKey = aggregationKey;
  return event;
}
