// encoding/json's Marshal / MarshalIndent for template values (sprig's toJson, toPrettyJson, toRawJson):
// map keys sorted, HTML characters escaped as \u003c \u003e \u0026 unless raw, U+2028/U+2029 escaped, floats
// in Go's (ES6-like) format, time.Time as RFC 3339 with nanoseconds. NaN, ±Inf and functions cannot be encoded.
import { formatFloat } from "./go-fmt.ts";
import { GoTime } from "./go-time.ts";
import { GoFunc, GoObject, type GoValue, intOf, isInt, isMap, sortedKeys } from "./go-values.ts";

export interface JsonOptions {
  escapeHtml: boolean;
  indent?: string;
}

function jsonString(s: string, escapeHtml: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
    }
    if (
      cp < 0x20 ||
      (escapeHtml && (ch === "<" || ch === ">" || ch === "&")) ||
      cp === 0x2028 ||
      cp === 0x2029
    ) {
      out += `\\u${cp.toString(16).padStart(4, "0")}`;
    } else if (cp >= 0xd800 && cp < 0xe000) out += "\ufffd";
    else out += ch;
  }
  return `${out}"`;
}

function jsonFloat(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  const abs = Math.abs(x);
  let fmt = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(x, fmt, -1);
  if (fmt === "e") s = s.replace(/e([+-])0(\d)$/, "e$1$2");
  return s;
}

class Unsupported extends Error {}

function encode(v: GoValue, o: JsonOptions, prefix: string, depth: number): string {
  if (depth > 1000) throw new Unsupported("json: nested too deeply");
  if (v === undefined || v === null) return "null";
  switch (typeof v) {
    case "string":
      return jsonString(v, o.escapeHtml);
    case "boolean":
      return String(v);
    case "bigint":
      return v.toString();
    case "number": {
      const s = jsonFloat(v);
      if (s === undefined) throw new Unsupported(`json: unsupported value: ${formatFloat(v, "g", -1)}`);
      return s;
    }
  }
  if (isInt(v)) return intOf(v).toString();
  if (v instanceof GoTime) return jsonString(v.format("2006-01-02T15:04:05.999999999Z07:00"), o.escapeHtml);
  if (v instanceof GoFunc) throw new Unsupported("json: unsupported type: func");
  if (v instanceof GoObject) {
    if (v.goType === "time.Duration") return String((v as unknown as { ns: bigint }).ns);
    return jsonString(v.goString() ?? "", o.escapeHtml);
  }
  const inner = o.indent === undefined ? "" : prefix + o.indent;
  const nl = o.indent === undefined ? "" : "\n";
  const colon = o.indent === undefined ? ":" : ": ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const parts = v.map((e) => inner + encode(e, o, inner, depth + 1));
    return `[${nl}${parts.join(`,${nl}`)}${nl}${o.indent === undefined ? "" : prefix}]`;
  }
  if (isMap(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) return "{}";
    const parts = keys.map(
      (k) => `${inner}${jsonString(k, o.escapeHtml)}${colon}${encode(v[k], o, inner, depth + 1)}`,
    );
    return `{${nl}${parts.join(`,${nl}`)}${nl}${o.indent === undefined ? "" : prefix}}`;
  }
  throw new Unsupported("json: unsupported type");
}

/** json.Marshal(v) (or MarshalIndent with prefix "" and o.indent); undefined where Go returns an error. */
export function goJson(v: GoValue, o: JsonOptions): string | undefined {
  try {
    return encode(v, o, "", 0);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
