/** What stands in for a secret value in dry-run output, captures, errors and logs. */
export const REDACTED = "[redacted]";

/** Replaces every occurrence of a known secret value in a text (e.g. a JSON line) by "[redacted]". */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...secrets]
    .filter((s) => typeof s === "string" && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const s of sorted) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    // the same value as it appears inside JSON strings
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
