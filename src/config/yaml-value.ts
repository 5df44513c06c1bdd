import { parse } from "yaml";
import type { KeyErrors } from "./config-error.ts";

/** Parses a ConfigMap value as YAML; a syntax error is reported on the key (first line of the parser message). */
export function parseYamlValue(
  text: string,
  errors: KeyErrors,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parse(text, { uniqueKeys: true, maxAliasCount: 100 }) };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0]!.trim() : String(err);
    errors.error(`invalid YAML: ${msg}`);
    return { ok: false };
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Warns about fields the loader does not know; `ignored` are upstream fields accepted without effect. */
export function warnUnknownFields(
  obj: Record<string, unknown>,
  known: readonly string[],
  ignored: readonly string[],
  errors: KeyErrors,
  path = "",
): void {
  for (const k of Object.keys(obj)) {
    const p = path ? `${path}.${k}` : k;
    if (ignored.includes(k)) errors.warn("accepted for compatibility and ignored", p);
    else if (!known.includes(k)) errors.warn("unknown field ignored", p);
  }
}
