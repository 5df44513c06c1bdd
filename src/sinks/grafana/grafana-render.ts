// Renders the `grafana:` sections. A template with only a `message` is sent as upstream sends it: one point
// annotation per notification, the message as text, the recipient's tags. A `grafana:` section (the built-ins have
// one) adds text, tags, and the region the notification belongs to (see grafana-sink.ts). The annotation's time is
// the notification's `time` (when the event was seen), so every retry sends the same.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import { splitGrafanaTags } from "./grafana-request.ts";
import type { GrafanaAnnotationPart, GrafanaServiceConfig, GrafanaTemplateSpec } from "./grafana-types.ts";

const FIELDS = ["text", "tags", "region", "endsRegion"] as const;

export function grafanaTemplateSources(spec: GrafanaTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const grafanaEscapeMode = (_field: string): EscapeMode => "none";

export function renderGrafana(input: RenderInput<GrafanaServiceConfig>): GrafanaAnnotationPart {
  const { ctx } = input;
  const time = Date.parse(ctx.time);
  const own = input.templates.filter((t) => hasSection(t, "grafana."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { text: message.value, time };
  const templates = own.length ? own : input.builtin();
  const r = (k: string) => lastNonEmpty(templates, `grafana.${k}`, ctx);
  const text = r("text") ?? message ?? lastNonEmpty(templates, "message", ctx);
  const part: GrafanaAnnotationPart = { text: text?.value ?? "", time };
  const tags = r("tags");
  if (tags) part.tags = splitGrafanaTags(tags.value);
  const region = r("region")?.value.trim();
  if (region) part.region = region;
  const ends = r("endsRegion");
  if (ends) {
    const v = ends.value.trim();
    if (v !== "true" && v !== "false")
      throw new TemplateError(
        ends.template,
        "grafana.endsRegion",
        `must render "true" or "false", not ${JSON.stringify(v)}`,
      );
    if (v === "true") part.endsRegion = true;
  }
  return part;
}
