// Compiles every string of a TemplateSpec (converting Go templates on the way) into render functions.
// Errors name the template and the field.
import type { TemplateSpec } from "../config/types.ts";
import { SERVICE_TYPES } from "../sinks/registry.ts";
import { compileHandlebars, type RenderFn, TemplateSyntaxError } from "./engine.ts";
import type { EscapeMode } from "./escaping.ts";
import { looksLikeJson, renderField } from "./fields.ts";
import { convertGoTemplate } from "./go-template/convert.ts";
import { TemplateError } from "./template-error.ts";

export { looksLikeJson, renderField };

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
  /** Go-template conversions and similar notes. */
  warnings: string[];
}

/** The escape mode of a field path: `message` is inserted as is; service sections ask their type. */
export function escapeModeForField(path: string, source: string): EscapeMode {
  const dot = path.indexOf(".");
  if (dot < 0) return "none";
  const def = SERVICE_TYPES.find((t) => t.templates.section === path.slice(0, dot));
  return def ? def.templates.escapeMode(path.slice(dot + 1), source) : "none";
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

/** Field path → source for every template string in the spec ("message", "<section>.<field>"). */
export function templateSpecSources(spec: TemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  if (typeof spec.message === "string") out.push(["message", spec.message]);
  for (const t of SERVICE_TYPES) {
    const section = (spec as unknown as Record<string, unknown>)[t.templates.section];
    if (section === undefined || section === null) continue;
    for (const [field, source] of t.templates.sources(section))
      out.push([`${t.templates.section}.${field}`, source]);
  }
  return out;
}

export function compileTemplateSpec(spec: TemplateSpec): CompiledTemplate {
  const warnings: string[] = [];
  const fields = new Map<string, CompiledField>();
  for (const [path, source] of templateSpecSources(spec)) {
    fields.set(path, compileField(spec.name, path, source, warnings));
  }
  return { name: spec.name, spec, fields, warnings };
}
