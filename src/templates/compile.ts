// Compiles every string of a TemplateSpec (converting Go templates on the way) into render functions.
// Errors name the template and the field.
import type { TemplateSpec } from "../config/types.ts";
import { compileHandlebars, type RenderFn, TemplateSyntaxError } from "./engine.ts";
import type { EscapeMode } from "./escaping.ts";
import { convertGoTemplate } from "./go-template/convert.ts";
import { TemplateError } from "./template-error.ts";

export interface CompiledField {
  /** Field path, e.g. "slack.attachments", "webhook.github.body", "pagerdutyv2.customDetails.revision". */
  path: string;
  /** Handlebars source (after Go conversion). */
  source: string;
  /** Escaping applied to `{{expr}}` output in this field. */
  mode: EscapeMode;
  render: RenderFn;
}

export interface CompiledTemplate {
  name: string;
  spec: TemplateSpec;
  /** Field path → compiled field. */
  fields: ReadonlyMap<string, CompiledField>;
  /** Non-template settings carried over from the spec. */
  slack?: { notifyBroadcast?: boolean; deliveryPolicy?: "Post" | "PostAndUpdate" | "Update" };
  /** Webhook template keys ("*" matches any webhook service). */
  webhookNames: string[];
  /** Go-template conversions and similar notes. */
  warnings: string[];
}

/** Key under `webhook:` that applies to every webhook service (used by the built-in templates). */
export const ANY_WEBHOOK = "*";

/** A JSON document template: starts with [ or { (but not with a mustache "{{"). */
export const looksLikeJson = (source: string) => /^\s*(\[|\{(?!\{))/.test(source);

/** The escape mode of a field path (see escaping.ts). */
export function escapeModeForField(path: string, source: string): EscapeMode {
  if (path === "slack.text" || path === "slack.threadRoot.text") return "slack";
  if (/^slack\.(threadRoot\.)?(attachments|blocks)$/.test(path)) return "slack-json";
  if (path === "pagerdutyv2.customDetails") return "json";
  if (/^webhook\..+\.body$/.test(path)) return looksLikeJson(source) ? "json" : "none";
  return "none";
}

function compileField(templateName: string, path: string, raw: string, warnings: string[]): CompiledField {
  const converted = convertGoTemplate(raw, templateName, path);
  warnings.push(...converted.warnings);
  try {
    return {
      path,
      source: converted.source,
      mode: escapeModeForField(path, converted.source),
      render: compileHandlebars(converted.source),
    };
  } catch (err) {
    if (err instanceof TemplateSyntaxError)
      throw new TemplateError(templateName, path, err.message, { cause: err });
    throw err;
  }
}

/** Field path → source for every template string in the spec. */
export function templateSpecSources(spec: TemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "string") out.push([path, v]);
  };
  add("message", spec.message);
  if (spec.slack) {
    for (const k of ["text", "attachments", "blocks", "groupingKey", "username", "icon"] as const) {
      add(`slack.${k}`, spec.slack[k]);
    }
    const root = spec.slack.threadRoot;
    if (root)
      for (const k of ["text", "attachments", "blocks"] as const) add(`slack.threadRoot.${k}`, root[k]);
  }
  if (spec.pagerdutyv2) {
    const pd = spec.pagerdutyv2;
    for (const k of [
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
    ] as const) {
      add(`pagerdutyv2.${k}`, pd[k]);
    }
    if (typeof pd.customDetails === "string") add("pagerdutyv2.customDetails", pd.customDetails);
    else if (pd.customDetails) {
      for (const [k, v] of Object.entries(pd.customDetails)) add(`pagerdutyv2.customDetails.${k}`, v);
    }
  }
  for (const [name, wh] of Object.entries(spec.webhook ?? {})) {
    add(`webhook.${name}.method`, wh.method);
    add(`webhook.${name}.path`, wh.path);
    add(`webhook.${name}.body`, wh.body);
    for (const h of wh.headers ?? []) add(`webhook.${name}.headers.${h.name}`, h.value);
  }
  return out;
}

export function compileTemplateSpec(spec: TemplateSpec): CompiledTemplate {
  const warnings: string[] = [];
  const fields = new Map<string, CompiledField>();
  for (const [path, source] of templateSpecSources(spec)) {
    fields.set(path, compileField(spec.name, path, source, warnings));
  }
  const compiled: CompiledTemplate = {
    name: spec.name,
    spec,
    fields,
    webhookNames: Object.keys(spec.webhook ?? {}),
    warnings,
  };
  if (spec.slack) {
    compiled.slack = {};
    if (spec.slack.notifyBroadcast !== undefined) compiled.slack.notifyBroadcast = spec.slack.notifyBroadcast;
    if (spec.slack.deliveryPolicy !== undefined) compiled.slack.deliveryPolicy = spec.slack.deliveryPolicy;
  }
  return compiled;
}

/** Renders one compiled field; helper errors become TemplateError naming template and field. */
export function renderField(
  template: CompiledTemplate,
  path: string,
  ctx: object,
  mode?: EscapeMode,
): string | undefined {
  const field = template.fields.get(path);
  if (!field) return undefined;
  try {
    return field.render(ctx, mode ?? field.mode);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new TemplateError(template.name, path, `render failed: ${msg}`, { cause: err });
  }
}

const compiledSpecs = new WeakMap<TemplateSpec, CompiledTemplate>();

/** compileTemplateSpec, once per spec object (the config store compiles at load; the pipeline reuses it). */
export function compiledTemplateSpec(spec: TemplateSpec): CompiledTemplate {
  let c = compiledSpecs.get(spec);
  if (!c) {
    c = compileTemplateSpec(spec);
    compiledSpecs.set(spec, c);
  }
  return c;
}
