// Which language a template source is written in: Go text/template (ConfigMaps written for Argo Rollouts,
// executed by go-exec.ts) or Handlebars (templates written for this service). Decided per source string from
// the syntax of its actions; a source with no actions is plain text.
import { HELPER_NAMES } from "../engine.ts";
import { goFunctionNames } from "./go-exec.ts";

const GO_ONLY_FUNCTIONS = new Set([...goFunctionNames()].filter((n) => !HELPER_NAMES.has(n)));

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
  const head = /^\(?\s*([\p{L}_][\p{L}\p{N}_]*)/u.exec(code)?.[1];
  if (head && GO_ONLY_FUNCTIONS.has(head)) return `Go function {{${body}}}`;
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
