// Renders the `alertmanager:` sections into one alert: labels and annotations (maps of templates; a later template's
// key wins), generatorURL, endsAt. Label names must be Prometheus label names; empty label values are dropped (as
// Alertmanager treats them). Without any section the trigger's built-in template is used.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type {
  AlertmanagerAlert,
  AlertmanagerServiceConfig,
  AlertmanagerTemplateSpec,
} from "./alertmanager-types.ts";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function alertmanagerTemplateSources(spec: AlertmanagerTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(spec.labels ?? {})) out.push([`labels.${k}`, v]);
  for (const [k, v] of Object.entries(spec.annotations ?? {})) out.push([`annotations.${k}`, v]);
  if (typeof spec.generatorURL === "string") out.push(["generatorURL", spec.generatorURL]);
  if (typeof spec.endsAt === "string") out.push(["endsAt", spec.endsAt]);
  return out;
}

export const alertmanagerEscapeMode = (_field: string): EscapeMode => "none";

export function renderAlertmanager(input: RenderInput<AlertmanagerServiceConfig>): AlertmanagerAlert {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "alertmanager."));
  const templates = own.length ? own : input.builtin();
  const map = (kind: "labels" | "annotations") => {
    const out: Record<string, string> = {};
    for (const t of templates) {
      for (const path of t.fields.keys()) {
        if (!path.startsWith(`alertmanager.${kind}.`)) continue;
        const name = path.slice(`alertmanager.${kind}.`.length);
        if (kind === "labels" && !LABEL_NAME.test(name)) {
          throw new TemplateError(t.name, path, `"${name}" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
        }
        const v = lastNonEmpty([t], path, ctx)?.value.trim();
        if (v) out[name] = v;
      }
    }
    return out;
  };
  const alert: AlertmanagerAlert = { labels: map("labels") };
  const annotations = map("annotations");
  if (Object.keys(annotations).length) alert.annotations = annotations;
  const url = lastNonEmpty(templates, "alertmanager.generatorURL", ctx)?.value.trim();
  if (url) alert.generatorURL = url;
  const endsR = lastNonEmpty(templates, "alertmanager.endsAt", ctx);
  if (endsR) {
    const at = endsR.value.trim();
    if (Number.isNaN(Date.parse(at)))
      throw new TemplateError(endsR.template, "alertmanager.endsAt", `"${at}" is not a time`);
    alert.endsAt = new Date(at).toISOString();
  }
  return alert;
}
