import { isMap, isSeq, LineCounter, parseDocument, visit } from "yaml";
import type { KeyErrors } from "./config-error.ts";

/**
 * Parses a ConfigMap value as YAML; a syntax error is reported on the key (first line of the parser message).
 * A key repeated in one mapping is accepted as upstream accepts it (notifications-engine decodes with
 * sigs.k8s.io/yaml, i.e. go-yaml v2 non-strict: the last value wins), with a warning naming the key and lines.
 */
export function parseYamlValue(
  text: string,
  errors: KeyErrors,
): { ok: true; value: unknown } | { ok: false } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines, logLevel: "error" });
  const first = doc.errors[0];
  if (first) {
    errors.error(`invalid YAML: ${first.message.split("\n")[0]!.trim()}`);
    return { ok: false };
  }
  const complexKey = firstCollectionKey(doc, lines);
  if (complexKey) {
    // go-yaml v2 fails on it ("invalid map key"), so upstream rejects it too (and with it the whole ConfigMap)
    errors.error(
      `invalid YAML: a mapping or list used as a key (line ${complexKey.line}: ${complexKey.text}); quote the value if it is a template`,
    );
    return { ok: false };
  }
  warnDuplicateKeys(doc, lines, errors);
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0]!.trim() : String(err);
    errors.error(`invalid YAML: ${msg}`);
    return { ok: false };
  }
}

const MAX_DUPLICATE_WARNINGS = 20;

function firstCollectionKey(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
): { line: number; text: string } | undefined {
  let found: { line: number; text: string } | undefined;
  visit(doc, {
    Pair(_key, pair) {
      const k = pair.key as { range?: [number, number, number] } | null;
      if (k && (isMap(k) || isSeq(k))) {
        const line = k.range ? lines.linePos(k.range[0]).line : 1;
        found = { line, text: String(k).slice(0, 60) };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function warnDuplicateKeys(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  errors: KeyErrors,
): void {
  let reported = 0;
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, number | undefined>();
      for (const pair of map.items) {
        const k = pair.key as { value?: unknown } | null;
        const name = k && typeof k === "object" && "value" in k ? String(k.value) : String(pair.key);
        const line = lineOf(pair.key);
        if (seen.has(name)) {
          if (reported++ < MAX_DUPLICATE_WARNINGS) {
            const at = [seen.get(name), line].map((l) => (l === undefined ? "?" : String(l)));
            errors.warn(
              `duplicate key "${name}" (lines ${at[0]} and ${at[1]}): the last value is used, as Argo Rollouts does`,
            );
          }
        }
        seen.set(name, line);
      }
    },
  });
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
