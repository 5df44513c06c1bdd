// Renders the `pagerduty:` sections into one incident request (title, body, urgency high|low, priority id; the
// incident key, action and group are extensions the built-in templates set). Without any `pagerduty:` section the
// trigger's built-in template is used.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, truncateChars } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type {
  PagerDutyIncidentRequest,
  PagerDutyRestServiceConfig,
  PagerDutyRestTemplateSpec,
} from "./pagerduty-rest-types.ts";

const FIELDS = [
  "title",
  "body",
  "urgency",
  "priorityID",
  "priorityId",
  "incidentKey",
  "action",
  "incidentGroup",
] as const;

export function pagerDutyRestTemplateSources(spec: PagerDutyRestTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const pagerDutyRestEscapeMode = (_field: string): EscapeMode => "none";

export function renderPagerDutyRest(
  input: RenderInput<PagerDutyRestServiceConfig>,
): PagerDutyIncidentRequest {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "pagerduty."));
  const templates = own.length ? own : input.builtin();
  const r = (k: string) => lastNonEmpty(templates, `pagerduty.${k}`, ctx);
  const actionR = r("action");
  const action = (actionR?.value.trim().toLowerCase() || "trigger") as PagerDutyIncidentRequest["action"];
  if (action !== "trigger" && action !== "resolve") {
    throw new TemplateError(
      actionR!.template,
      "pagerduty.action",
      `"${actionR!.value}" is not trigger or resolve`,
    );
  }
  const message = lastNonEmpty(input.templates, "message", ctx)?.value ?? "";
  const req: PagerDutyIncidentRequest = {
    action,
    title: truncateChars((r("title")?.value ?? message).replace(/\s+/g, " ").trim(), 1024),
  };
  const body = r("body")?.value;
  if (body) req.body = body;
  const urgencyR = r("urgency");
  if (urgencyR) {
    const u = urgencyR.value.trim().toLowerCase();
    if (u !== "high" && u !== "low")
      throw new TemplateError(
        urgencyR.template,
        "pagerduty.urgency",
        `"${urgencyR.value}" is not high or low`,
      );
    req.urgency = u;
  }
  const priority = (r("priorityID") ?? r("priorityId"))?.value.trim();
  if (priority) req.priorityID = priority;
  const key = r("incidentKey")?.value.trim();
  if (key) req.incidentKey = key;
  const group = r("incidentGroup")?.value.trim();
  if (group) req.incidentGroup = group;
  return req;
}
