// Go text/template → Handlebars, for ConfigMaps written for Argo Rollouts' built-in notifications.
// `detectTemplateSyntax` decides per source; a Handlebars (or plain-text) source passes through untouched.
import { HELPER_NAMES } from "../engine.ts";
import { TemplateError } from "../template-error.ts";
import { emitHandlebars } from "./go-emit.ts";
import { GoConstructError, parseGoTemplate } from "./go-parse.ts";

export type TemplateSyntax = "go" | "handlebars" | "plain";

const GO_KEYWORDS = /^(if|range|with|end|define|template|block|break|continue)(\s|$)/;

/** Action bodies ({{ … }}) with their inner text; quotes are respected so "}}" in a string doesn't end one. */
function actionsOf(source: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (true) {
    const open = source.indexOf("{{", pos);
    if (open < 0) break;
    let i = open + 2;
    let quote: string | undefined;
    while (i < source.length) {
      const c = source[i];
      if (quote) {
        if (c === "\\" && quote !== "`") i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "`") quote = c;
      else if (c === "}" && source[i + 1] === "}") break;
      i++;
    }
    out.push(source.slice(open + 2, i));
    pos = i + 2;
  }
  return out;
}

function stripQuoted(s: string): string {
  return s.replace(/"(\\.|[^"\\])*"|`[^`]*`|'(\\.|[^'\\])*'/g, '""');
}

/** Why a source looks like Go (first marker found), or undefined. */
function goMarker(action: string): string | undefined {
  if (/^-\s/.test(action) || /\s-$/.test(action)) return "trim marker {{- -}}";
  const body = action.trim();
  if (body.startsWith("/*")) return "comment {{/* */}}";
  const code = stripQuoted(body);
  if (/^\.[\p{L}_]/u.test(code) || /^\$/.test(code)) return `field or variable {{${body}}}`;
  if (GO_KEYWORDS.test(code)) return `keyword {{${body}}}`;
  if (/^else\s+(if|with)\s+[.$(]/.test(code)) return `keyword {{${body}}}`;
  if (code.includes(":=")) return `declaration {{${body}}}`;
  if (/(^|[\s(])\.[\p{L}_]/u.test(code) || /(^|[\s(])\$/.test(code)) return `field argument {{${body}}}`;
  if (/\|/.test(code) && !/\bas\s*\|/.test(code)) return `pipe {{${body}}}`;
  return undefined;
}

function handlebarsMarker(action: string): string | undefined {
  if (/^[#/^>!&{~]/.test(action) && !action.startsWith("/*")) return `{{${action.slice(0, 30)}}}`;
  if (/~$/.test(action)) return `{{${action.slice(0, 30)}}}`;
  const code = stripQuoted(action);
  if (/(^|[\s(])@[\p{L}_]/u.test(code)) return `{{${action.slice(0, 30)}}}`;
  if (/\bas\s*\|/.test(code)) return `{{${action.slice(0, 30)}}}`;
  return undefined;
}

/**
 * "go" when any action uses Go-only syntax (a leading-dot field, $variable, trim marker, bare if/range/with/end,
 * :=, a pipe), "handlebars" when it has actions and none of those, "plain" without actions.
 * Throws when one source mixes both syntaxes.
 */
export function detectTemplateSyntax(source: string): TemplateSyntax {
  const actions = actionsOf(source);
  if (actions.length === 0) return "plain";
  let go: string | undefined;
  let hbs: string | undefined;
  for (const a of actions) {
    go ??= goMarker(a);
    hbs ??= handlebarsMarker(a);
  }
  if (go && hbs) throw new Error(`mixes Go template syntax (${go}) and Handlebars syntax (${hbs})`);
  return go ? "go" : "handlebars";
}

export interface ConvertedTemplate {
  source: string;
  warnings: string[];
}

/**
 * Converts a Go template to Handlebars. A Handlebars or plain source is returned unchanged with no warnings.
 * Throws TemplateError naming the template (and field) and the construct that cannot be converted.
 */
export function convertGoTemplate(source: string, templateName: string, field?: string): ConvertedTemplate {
  let syntax: TemplateSyntax;
  try {
    syntax = detectTemplateSyntax(source);
  } catch (err) {
    throw new TemplateError(templateName, field, (err as Error).message);
  }
  if (syntax !== "go") return { source, warnings: [] };
  try {
    const converted = emitHandlebars(parseGoTemplate(source), { helperNames: HELPER_NAMES });
    const where = `template "${templateName}"${field ? ` field "${field}"` : ""}`;
    return { source: converted, warnings: [`${where}: converted from Go template syntax to Handlebars`] };
  } catch (err) {
    if (err instanceof GoConstructError)
      throw new TemplateError(templateName, field, err.message, { cause: err });
    throw err;
  }
}
