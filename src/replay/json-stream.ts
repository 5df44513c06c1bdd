// Splits a stream of JSON values: one per line (JSON Lines) or concatenated pretty-printed objects, as
// `kubectl get -w -o json` writes them. Pure over strings. A broken value is reported and scanning resumes at
// the next line that starts with "{" in column 0 (where top-level values start in both formats).

export type JsonStreamItem =
  | { ok: true; value: unknown; line: number }
  | { ok: false; message: string; line: number };

function lineAt(text: string, offset: number, from = { offset: 0, line: 1 }): number {
  let line = from.line;
  for (let i = from.offset; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offset just past the end of the JSON value starting at `start` (a "{" or "["), or -1 if it never closes. */
function endOfContainer(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function nextTopLevelStart(text: string, after: number): number {
  const i = text.indexOf("\n{", after);
  return i < 0 ? -1 : i + 1;
}

/** Bounds of one JSON value (parse-documents.ts passes the replay limits). */
export interface JsonStreamLimits {
  maxValueBytes: number;
}

export function splitJsonStream(
  text: string,
  limits: JsonStreamLimits = { maxValueBytes: Number.POSITIVE_INFINITY },
): JsonStreamItem[] {
  const items: JsonStreamItem[] = [];
  let pos = 0;
  let cursor = { offset: 0, line: 1 };
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) break;
    const line = lineAt(text, pos, cursor);
    cursor = { offset: pos, line };
    const c = text[pos]!;
    if (c !== "{" && c !== "[") {
      // A scalar (or garbage) at the top level: take it up to the end of its line.
      const eol = text.indexOf("\n", pos);
      const end = eol < 0 ? text.length : eol;
      const raw = text.slice(pos, end).trim();
      let message = `not a JSON object: ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
      try {
        const value = JSON.parse(raw);
        items.push({ ok: true, value, line });
        pos = end;
        continue;
      } catch (err) {
        message = `invalid JSON: ${(err as Error).message}`;
      }
      items.push({ ok: false, message, line });
      pos = end;
      continue;
    }
    const end = endOfContainer(text, pos);
    const resync = nextTopLevelStart(text, pos);
    if (end < 0 || (resync >= 0 && resync < end && !parses(text.slice(pos, end)))) {
      // Unterminated, or a broken value that swallowed the next top-level value: report, resume there.
      const stop = resync >= 0 ? resync : text.length;
      items.push({ ok: false, message: describeJsonError(text.slice(pos, stop)), line });
      pos = stop;
      continue;
    }
    if (end - pos > limits.maxValueBytes) {
      items.push({
        ok: false,
        message: `document of ${end - pos} bytes is over the limit of ${limits.maxValueBytes} bytes; not parsed`,
        line,
      });
      pos = end;
      continue;
    }
    const raw = text.slice(pos, end);
    try {
      items.push({ ok: true, value: JSON.parse(raw), line });
    } catch (err) {
      items.push({ ok: false, message: `invalid JSON: ${(err as Error).message}`, line });
    }
    pos = end;
  }
  return items;
}

function parses(raw: string): boolean {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

function describeJsonError(raw: string): string {
  try {
    JSON.parse(raw);
    return "invalid JSON";
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
}
