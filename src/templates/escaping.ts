// Output escaping for template expressions. Which mode applies is decided per template field (see compile.ts and
// docs/templates.md): `{{x}}` is escaped for the field it lands in, `{{{x}}}` is never escaped.
//
//   none        message, PagerDuty fields, Slack groupingKey/username/icon, webhook method/path/headers,
//               non-JSON webhook bodies: values are inserted as they are (like Go text/template).
//   slack       Slack `text` (and the message when it becomes Slack text): & < > become &amp; &lt; &gt; so text
//               from the cluster (a status message with "<!channel>", "<@U123>" or "<https://x|click>")
//               cannot ping anyone or inject links.
//   json        PagerDuty customDetails (JSON string), webhook bodies that start with { or [: values are escaped
//               as the inside of a JSON string literal, so a quote in a message cannot break the document.
//   slack-json  Slack attachments/blocks: both of the above.

export type EscapeMode = "none" | "slack" | "json" | "slack-json";

export const ESCAPE_MODES: readonly EscapeMode[] = ["none", "slack", "json", "slack-json"];

/** Escapes the three characters Slack treats as control sequences (https://api.slack.com/reference/surfaces/formatting). */
export function escapeSlackText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** The body of a JSON string literal for `text` (no surrounding quotes). */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

export function escapeForMode(text: string, mode: EscapeMode): string {
  switch (mode) {
    case "none":
      return text;
    case "slack":
      return escapeSlackText(text);
    case "json":
      return escapeJsonString(text);
    case "slack-json":
      return escapeJsonString(escapeSlackText(text));
  }
}

/** Whether string values inside JSON produced by helpers (json, toJson) must be Slack-escaped. */
export function modeEscapesSlack(mode: EscapeMode): boolean {
  return mode === "slack" || mode === "slack-json";
}

/** Deep copy of `value` with every string Slack-escaped (object keys included). */
export function escapeSlackDeep(value: unknown): unknown {
  if (typeof value === "string") return escapeSlackText(value);
  if (Array.isArray(value)) return value.map(escapeSlackDeep);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeSlackText(k)] = escapeSlackDeep(v);
    return out;
  }
  return value;
}

/**
 * How a value prints: strings as they are, numbers/booleans as text, null/undefined as "", Dates as ISO,
 * arrays/objects as JSON (Go would print map[...]; JSON is what people want in a notification).
 */
export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    if (typeof (value as { toHTML?: unknown }).toHTML === "function") return String(value);
    return JSON.stringify(value);
  }
  return String(value);
}
