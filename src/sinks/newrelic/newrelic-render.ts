// Renders the `newrelic:` sections (revision, changelog, description, user; values as they are). A template without
// the section takes the built-in's fields and its own message as the description, as upstream defaults it.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { NewrelicDeployment, NewrelicServiceConfig, NewrelicTemplateSpec } from "./newrelic-types.ts";

const FIELDS = ["revision", "changelog", "description", "user"] as const;

export function newrelicTemplateSources(spec: NewrelicTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const newrelicEscapeMode = (_field: string): EscapeMode => "none";

export function renderNewrelic(input: RenderInput<NewrelicServiceConfig>): NewrelicDeployment {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "newrelic."));
  const templates = own.length ? own : input.builtin();
  const message = lastNonEmpty(input.templates, "message", ctx);
  const r = (k: string) => lastNonEmpty(templates, `newrelic.${k}`, ctx)?.value.trim();
  const out: NewrelicDeployment = { revision: r("revision") ?? "" };
  const description = own.length ? r("description") : (message?.value ?? r("description"));
  if (description) out.description = description;
  const changelog = r("changelog");
  if (changelog) out.changelog = changelog;
  const user = r("user");
  if (user) out.user = user;
  return out;
}
