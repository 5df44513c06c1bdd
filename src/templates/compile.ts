// Compiles every string of a TemplateSpec into render functions: Go templates (written for Argo Rollouts) run on
// the Go template interpreter with Go's semantics and output, Handlebars templates on the Handlebars engine.
// Errors name the template and the field.
import type { TemplateSpec } from "../config/types.ts";
import { compileHandlebars, type RenderFn, TemplateSyntaxError } from "./engine.ts";
import type { EscapeMode } from "./escaping.ts";
import {
  type CompiledGoTemplate,
  compileGoTemplate,
  detectTemplateSyntax,
  GoExecError,
  GoParseError,
  renderGoTemplate,
} from "./go-template/index.ts";
import { currentRenderBudget, RenderBudgetError } from "./render-budget.ts";
import { TemplateError } from "./template-error.ts";

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
  /** Non-template settings carried over from the spec. */
  slack?: { notifyBroadcast?: boolean; deliveryPolicy?: "Post" | "PostAndUpdate" | "Update" };
  /** Webhook template keys ("*" matches any webhook service). */
  webhookNames: string[];
  /** Notes about the template found while compiling. */
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
    const what = err instanceof GoExecError ? "Go template failed" : "render failed";
    throw new TemplateError(template.name, path, `${what}: ${msg}`, { cause: err });
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
