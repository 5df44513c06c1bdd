// Field-level rendering primitives the service types build their parts with (src/sinks/<type>/): render one
// compiled field, take the last non-empty rendering across templates, parse a JSON field.
import type { CompiledTemplate } from "./compile.ts";
import type { EscapeMode } from "./escaping.ts";
import { GoExecError } from "./go-template/index.ts";
import { TemplateError } from "./template-error.ts";

/** A JSON document template: starts with [ or { (but not with a mustache "{{"). */
export const looksLikeJson = (source: string) => /^\s*(\[|\{(?!\{))/.test(source);

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

export interface Rendered {
  value: string;
  template: string;
}

/** Last non-empty rendering of `path` across templates (the later template wins). */
export function lastNonEmpty(
  templates: readonly CompiledTemplate[],
  path: string | ((t: CompiledTemplate) => string | undefined),
  ctx: object,
  mode?: EscapeMode,
): Rendered | undefined {
  let out: Rendered | undefined;
  for (const t of templates) {
    const p = typeof path === "string" ? path : path(t);
    if (!p) continue;
    const value = renderField(t, p, ctx, mode);
    if (value !== undefined && value.trim() !== "") out = { value, template: t.name };
  }
  return out;
}

export function parseJsonField(r: Rendered, field: string, expect: "array" | "object" | "any"): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.value);
  } catch (err) {
    throw new TemplateError(r.template, field, `rendered text is not valid JSON (${(err as Error).message})`);
  }
  const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  const ok = expect === "any" || (expect === "array" ? Array.isArray(parsed) : isObject);
  if (!ok)
    throw new TemplateError(
      r.template,
      field,
      `rendered JSON must be ${expect === "array" ? "an array" : "an object"}`,
    );
  return parsed;
}

/** Whether a template has a field under `prefix` (e.g. "pagerdutyv2."). */
export const hasSection = (t: CompiledTemplate, prefix: string) =>
  [...t.fields.keys()].some((k) => k.startsWith(prefix));

/** `text` cut to `max` characters (code points), ending in "…" when cut. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
