// Compiles every string of a TemplateSpec into render functions: Go templates (written for Argo Rollouts) run on
// the Go template interpreter with Go's semantics and output, Handlebars templates on the Handlebars engine.
// Errors name the template and the field.
import type { TemplateSpec } from "../config/types.ts";
import { SERVICE_TYPES } from "../sinks/registry.ts";
import { compileHandlebars, type RenderFn, TemplateSyntaxError } from "./engine.ts";
import type { EscapeMode } from "./escaping.ts";
import { looksLikeJson, renderField } from "./fields.ts";
import {
  type CompiledGoTemplate,
  compileGoTemplate,
  detectTemplateSyntax,
  GoExecError,
  GoParseError,
  renderGoTemplate,
} from "./go-template/index.ts";
import { LazyFields } from "./lazy-fields.ts";
import { currentRenderBudget, RenderBudgetError } from "./render-budget.ts";
import { TemplateError } from "./template-error.ts";

export { looksLikeJson, renderField };

export interface CompiledField {
  /** Field path, e.g. "slack.attachments", "webhook.github.body", "pagerdutyv2.customDetails.revision". */
  path: string;
  /** The source as written. */
  source: string;
  syntax: "go" | "handlebars";
  /** Escaping applied to `{{expr}}` output in this field (Handlebars only: Go templates print as Go does). */
  mode: EscapeMode;
  render: RenderFn;
}

export interface CompiledTemplate {
  name: string;
  spec: TemplateSpec;
  /** Field path → compiled field. */
  fields: ReadonlyMap<string, CompiledField>;
  /** Notes about the template found while compiling. */
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
  let syntax: "go" | "handlebars";
  try {
    syntax = detectTemplateSyntax(raw) === "go" ? "go" : "handlebars";
  } catch (err) {
    throw new TemplateError(templateName, path, (err as Error).message);
  }
  if (syntax === "go") {
    let compiled: ReturnType<typeof compileGoTemplate>;
    try {
      compiled = compileGoTemplate(raw);
    } catch (err) {
      if (err instanceof GoParseError)
        throw new TemplateError(templateName, path, `Go template: ${err.message}`, { cause: err });
      throw err;
    }
    for (const w of compiled.warnings) warnings.push(`field "${path}" line ${w.line}: ${w.message}`);
    return {
      path,
      source: raw,
      syntax,
      mode: escapeModeForField(path, raw),
      render: (ctx, mode) => renderGoField(compiled, ctx, mode),
    };
  }
  try {
    return {
      path,
      source: raw,
      syntax,
      mode: escapeModeForField(path, raw),
      render: compileHandlebars(raw),
    };
  } catch (err) {
    if (err instanceof TemplateSyntaxError)
      throw new TemplateError(templateName, path, err.message, { cause: err });
    throw err;
  }
}

/**
 * Go's output, exactly. In a JSON field (Slack attachments/blocks, a JSON webhook body, PagerDuty customDetails)
 * whose Go output is not valid JSON — a value with a quote printed inside a JSON string, which upstream sends
 * and Slack rejects — the field is rendered again with such values escaped, so the notification is not lost.
 */
function renderGoField(compiled: CompiledGoTemplate, ctx: object, mode: EscapeMode): string {
  // the render budget (render-budget.ts) sets the interpreter's limits; running into one is a budget failure
  const budget = currentRenderBudget();
  const limits = { maxOutput: budget.maxOutputChars, maxIterations: budget.maxIterations };
  const render = (escapeInJsonStrings: boolean) => {
    try {
      return renderGoTemplate(compiled, ctx, { limits, escapeInJsonStrings });
    } catch (err) {
      const limit =
        err instanceof GoExecError
          ? /\(limit (maxOutput|maxIterations|maxTemplateDepth)\)/.exec(err.message)?.[1]
          : undefined;
      if (limit) {
        throw new RenderBudgetError(
          limit === "maxOutput" ? "output" : limit === "maxIterations" ? "iterations" : "depth",
          `${err instanceof Error ? err.message : String(err)} (RENDER_MAX_${limit === "maxOutput" ? "OUTPUT_BYTES" : limit === "maxIterations" ? "ITERATIONS" : "DEPTH"})`,
        );
      }
      throw err;
    }
  };
  const out = render(false);
  if (mode !== "json" && mode !== "slack-json") return out;
  if (isJson(out)) return out;
  const escaped = render(true);
  return isJson(escaped) ? escaped : out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
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

/**
 * compileTemplateSpec with each field compiled when first read (lazy-fields.ts): for templates known to compile
 * (the built-ins, compiled whole by their tests). A field's warnings are added when it is compiled.
 */
export function lazilyCompiledTemplateSpec(spec: TemplateSpec): CompiledTemplate {
  const warnings: string[] = [];
  const fields = new LazyFields(templateSpecSources(spec), (path, source) =>
    compileField(spec.name, path, source, warnings),
  );
  return { name: spec.name, spec, fields, warnings };
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
