// Renders the `opsgenie:` sections into one alert request: message = the templates' `message` (upstream), the
// section's description (required upstream), priority P1–P5 (upper-cased, as upstream), alias, note, tags. Without
// any `opsgenie:` section the trigger's built-in template is used.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, truncateChars } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type { OpsgenieAlert, OpsgenieServiceConfig, OpsgenieTemplateSpec } from "./opsgenie-types.ts";

const FIELDS = ["description", "priority", "alias", "note", "tags", "action", "alertGroup"] as const;
const PRIORITIES = ["P1", "P2", "P3", "P4", "P5"];
// Opsgenie's documented limits
export const OPSGENIE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15000,
  note: 25000,
  tags: 20,
  tag: 50,
};

export function opsgenieTemplateSources(spec: OpsgenieTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const opsgenieEscapeMode = (_field: string): EscapeMode => "none";

export function renderOpsgenie(input: RenderInput<OpsgenieServiceConfig>): OpsgenieAlert {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "opsgenie."));
  const templates = own.length ? own : input.builtin();
  const r = (k: string) => lastNonEmpty(templates, `opsgenie.${k}`, ctx);
  const message = lastNonEmpty(input.templates, "message", ctx) ?? lastNonEmpty(templates, "message", ctx);
  const actionR = r("action");
  const action = (actionR?.value.trim().toLowerCase() || "create") as OpsgenieAlert["action"];
  if (action !== "create" && action !== "close") {
    throw new TemplateError(
      actionR!.template,
      "opsgenie.action",
      `"${actionR!.value}" is not create or close`,
    );
  }
  const priorityR = r("priority");
  const alert: OpsgenieAlert = {
    action,
    message: truncateChars(
      (message?.value ?? `Rollout ${ctx.rollout.metadata.name}: ${ctx.trigger}`).trim(),
      OPSGENIE_LIMITS.message,
    ),
    description: truncateChars(r("description")?.value ?? "", OPSGENIE_LIMITS.description),
  };
  if (priorityR) {
    const p = priorityR.value.trim().toUpperCase();
    if (!PRIORITIES.includes(p)) {
      throw new TemplateError(
        priorityR.template,
        "opsgenie.priority",
        `"${priorityR.value}" is not one of P1–P5`,
      );
    }
    alert.priority = p;
  }
  const alias = r("alias")?.value.trim();
  if (alias) alert.alias = truncateChars(alias, OPSGENIE_LIMITS.alias);
  const note = r("note")?.value;
  if (note) alert.note = truncateChars(note, OPSGENIE_LIMITS.note);
  const tags = r("tags")
    ?.value.split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags?.length)
    alert.tags = tags.slice(0, OPSGENIE_LIMITS.tags).map((t) => truncateChars(t, OPSGENIE_LIMITS.tag));
  const group = r("alertGroup")?.value.trim();
  if (group) alert.alertGroup = group;
  return alert;
}
