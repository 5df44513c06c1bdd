// `template.<name>` keys. Template sources stay strings (Handlebars or Go templates). Structure is validated here
// and every source is compiled (src/templates), so a syntax error or an unknown function rejects the key at load,
// naming the field and line; `email` and other unsupported services are accepted and ignored.
import { z } from "zod";
import { ARGO_CD_VARIABLE, argoCdVariableUses } from "../migrate/template-variables.ts";
import { compiledTemplateSpec } from "../templates/compile.ts";
import { TemplateError } from "../templates/template-error.ts";
import { issuePath, type KeyErrors } from "./config-error.ts";
import type { TemplateSpec } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

/** attachments/blocks are JSON text after rendering; a YAML list/map is accepted and serialised. */
const jsonText = z
  .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .transform((v) => (typeof v === "string" ? v : JSON.stringify(v)));
const header = z.object({ name: z.string().min(1), value: z.string() });

const slackSchema = z.object({
  text: z.string().optional(),
  attachments: jsonText.optional(),
  blocks: jsonText.optional(),
  groupingKey: z.string().optional(),
  notifyBroadcast: z.boolean().optional(),
  deliveryPolicy: z.enum(["Post", "PostAndUpdate", "Update"]).optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
});

const pagerDutySchema = z.object({
  summary: z.string().optional(),
  severity: z.string().optional(),
  source: z.string().optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  dedupKey: z.string().optional(),
  eventAction: z.string().optional(),
  customDetails: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  url: z.string().optional(),
});

const webhookSchema = z.record(
  z.string(),
  z.object({
    method: z.string().optional(),
    path: z.string().optional(),
    body: z.string().optional(),
    headers: z.array(header).optional(),
  }),
);

const templateSchema = z.object({
  message: z.string().optional(),
  slack: slackSchema.optional(),
  pagerdutyv2: pagerDutySchema.optional(),
  webhook: webhookSchema.optional(),
});

const TOP_LEVEL = ["message", "slack", "pagerdutyv2", "webhook"];
const IGNORED_SERVICES = [
  "email",
  "teams",
  "teams-workflows",
  "mattermost",
  "opsgenie",
  "googlechat",
  "telegram",
  "rocketchat",
  "webex",
  "github",
  "gitlab",
  "grafana",
  "alertmanager",
  "newrelic",
  "pagerduty",
  "pushover",
  "awssqs",
  "pubsub",
];

export function parseTemplateEntry(name: string, text: string, errors: KeyErrors): TemplateSpec | undefined {
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value;
  if (!isPlainObject(raw)) {
    errors.error("must be a YAML mapping (message, slack, pagerdutyv2, webhook, …)");
    return undefined;
  }
  warnUnknownFields(raw, TOP_LEVEL, IGNORED_SERVICES, errors);
  if (isPlainObject(raw.slack))
    warnUnknownFields(raw.slack, Object.keys(slackSchema.shape), [], errors, "slack");
  if (isPlainObject(raw.pagerdutyv2)) {
    warnUnknownFields(raw.pagerdutyv2, Object.keys(pagerDutySchema.shape), [], errors, "pagerdutyv2");
  }
  const result = templateSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) errors.error(issue.message, issuePath(issue.path) || undefined);
    return undefined;
  }
  const spec: TemplateSpec = { name };
  const d = result.data;
  if (d.message !== undefined) spec.message = d.message;
  if (d.slack) spec.slack = stripUndefined(d.slack);
  if (d.pagerdutyv2) spec.pagerdutyv2 = stripUndefined(d.pagerdutyv2);
  if (d.webhook) {
    spec.webhook = Object.fromEntries(Object.entries(d.webhook).map(([k, v]) => [k, stripUndefined(v)]));
  }
  if (spec.message === undefined && !spec.slack && !spec.pagerdutyv2 && !spec.webhook) {
    errors.warn("defines no message, slack, pagerdutyv2 or webhook part; it renders nothing");
  }
  warnArgoCdVariables(spec, errors);
  try {
    for (const w of compiledTemplateSpec(spec).warnings) errors.warn(w); // cached: the pipeline reuses it
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    errors.error(err.message.replace(/^template "[^"]*"( field "[^"]*")?: /, ""), err.field);
    return undefined;
  }
  return spec;
}

/**
 * `.app.…` / `.repo.…` in a Go template (one copied from Argo CD): it fails at every render, here as in Argo
 * Rollouts, so it is said at load. (`.context.…` is this service's own key: migrate says how it differs.)
 */
function warnArgoCdVariables(spec: TemplateSpec, errors: KeyErrors): void {
  const fields: [string, unknown][] = [
    ["message", spec.message],
    ...Object.entries(spec.slack ?? {}).map(([k, v]): [string, unknown] => [`slack.${k}`, v]),
    ...Object.entries(spec.pagerdutyv2 ?? {}).map(([k, v]): [string, unknown] => [`pagerdutyv2.${k}`, v]),
    ...Object.entries(spec.webhook ?? {}).flatMap(([name, w]) =>
      Object.entries(w).map(([k, v]): [string, unknown] => [`webhook.${name}.${k}`, v]),
    ),
  ];
  for (const [field, value] of fields) {
    if (typeof value !== "string") continue;
    for (const u of argoCdVariableUses(value)) {
      if (u.name !== "context")
        errors.warn(`${u.expression} (line ${u.line}): ${ARGO_CD_VARIABLE(u.name)}`, field);
    }
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
