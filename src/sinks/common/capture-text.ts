// Helpers for the one-line capture summaries (`replay --capture`).

/** Whitespace collapsed, cut to `max` characters with "…". */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
