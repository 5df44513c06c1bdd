// Renders the `pagerdutyv2:` sections of a trigger's templates into one Events v2 event. Without any such section
// (e.g. the upstream install ConfigMap, which only has Slack parts) the trigger's built-in template fills it in.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, parseJsonField, truncateChars } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type { PagerDutyEvent, PagerDutyServiceConfig, PagerDutyTemplateSpec } from "./pagerduty-types.ts";

const PD_SEVERITIES = ["critical", "error", "warning", "info"] as const;
const PD_ACTIONS = ["trigger", "acknowledge", "resolve"] as const;
const PD_SUMMARY_MAX = 1024;

const STRING_FIELDS = [
  "summary",
  "severity",
  "source",
  "component",
  "group",
  "class",
  "dedupKey",
  "eventAction",
  "url",
  "incidentGroup",
] as const;

export function pagerDutyTemplateSources(pd: PagerDutyTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of STRING_FIELDS) if (typeof pd[k] === "string") out.push([k, pd[k]]);
  if (typeof pd.customDetails === "string") out.push(["customDetails", pd.customDetails]);
  else if (pd.customDetails) {
    for (const [k, v] of Object.entries(pd.customDetails)) {
      if (typeof v === "string") out.push([`customDetails.${k}`, v]);
    }
  }
  return out;
}

export const pagerDutyEscapeMode = (field: string): EscapeMode =>
  field === "customDetails" ? "json" : "none";

function defaultDedupKey(ctx: TemplateContext): string {
  const m = ctx.rollout.metadata;
  return `${m.namespace ?? ""}/${m.name}/${ctx.revision}`;
}

function renderEvent(templates: readonly CompiledTemplate[], ctx: TemplateContext): PagerDutyEvent {
  const r = (k: string, mode?: EscapeMode) => lastNonEmpty(templates, `pagerdutyv2.${k}`, ctx, mode);
  const m = ctx.rollout.metadata;
  const severityR = r("severity");
  const severity = (severityR?.value.trim().toLowerCase() ?? "error") as PagerDutyEvent["severity"];
  if (!PD_SEVERITIES.includes(severity)) {
    throw new TemplateError(
      severityR!.template,
      "pagerdutyv2.severity",
      `"${severityR!.value}" is not one of ${PD_SEVERITIES.join(", ")}`,
    );
  }
  const actionR = r("eventAction");
  const eventAction = (actionR?.value.trim().toLowerCase() ?? "trigger") as PagerDutyEvent["eventAction"];
  if (!PD_ACTIONS.includes(eventAction)) {
    throw new TemplateError(
      actionR!.template,
      "pagerdutyv2.eventAction",
      `"${actionR!.value}" is not one of ${PD_ACTIONS.join(", ")}`,
    );
  }
  const summary = r("summary") ?? lastNonEmpty(templates, "message", ctx);
  const event: PagerDutyEvent = {
    eventAction,
    dedupKey: r("dedupKey")?.value.trim() ?? defaultDedupKey(ctx),
    summary: truncateChars(
      (summary?.value ?? `Rollout ${m.namespace}/${m.name}: ${ctx.trigger}`).trim(),
      PD_SUMMARY_MAX,
    ),
    severity,
    source: r("source")?.value.trim() ?? `${m.namespace ?? ""}/${m.name}`,
  };
  for (const k of ["component", "group", "class", "incidentGroup"] as const) {
    const v = r(k);
    if (v) event[k] = v.value.trim();
  }
  const url = r("url");
  if (url) event.clientUrl = url.value.trim();
  const details: Record<string, unknown> = {};
  for (const t of templates) {
    const whole = lastNonEmpty([t], "pagerdutyv2.customDetails", ctx);
    if (whole) Object.assign(details, parseJsonField(whole, "pagerdutyv2.customDetails", "object"));
    for (const path of t.fields.keys()) {
      if (!path.startsWith("pagerdutyv2.customDetails.")) continue;
      const v = lastNonEmpty([t], path, ctx);
      if (v) details[path.slice("pagerdutyv2.customDetails.".length)] = v.value;
    }
  }
  if (Object.keys(details).length) event.customDetails = details;
  return event;
}

export function renderPagerDuty(input: RenderInput<PagerDutyServiceConfig>): PagerDutyEvent {
  const own = input.templates.filter((t) => hasSection(t, "pagerdutyv2."));
  return renderEvent(own.length ? own : input.builtin(), input.ctx);
}
