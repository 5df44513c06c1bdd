// Replay input: a YAML multi-document stream, JSON Lines, or concatenated pretty JSON (`kubectl get -w -o json`).
// Each document is a Kubernetes object, a watch event {type, object}, or a `kind: List` of objects. Pure over
// strings: every document becomes either an entry or an error naming its index (1-based) and line; one bad
// document never hides the others.
import { parseAllDocuments } from "yaml";
import { isKnownKind, KNOWN_KINDS, type KubeObject, type WatchEvent } from "../kube/objects.ts";
import { splitJsonStream } from "./json-stream.ts";

export interface ReplayDocument {
  /** "3", or "3.2" for the second item of a List in document 3. */
  index: string;
  line: number;
  input: WatchEvent | KubeObject;
}

export interface ReplayInputError {
  index: string;
  line: number;
  message: string;
}

export type ReplayItem = ({ ok: true } & ReplayDocument) | ({ ok: false } & ReplayInputError);

const EVENT_TYPES = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"];

export function looksLikeJson(text: string): boolean {
  const first = text.match(/\S/)?.[0];
  return first === "{" || first === "[";
}

/**
 * Bounds of hostile input (a recorded history may come from anywhere): each violation is an error naming the
 * document (index and line); the other documents are still read.
 */
export interface ReplayInputLimits {
  /** Bytes of one document (a Kubernetes object is at most ~1.5 MB). */
  maxDocumentBytes: number;
  /** Documents in one input; the rest are reported as one error and not read. */
  maxDocuments: number;
  /** Nesting of maps/lists in one document. */
  maxDepth: number;
  /** YAML aliases expanded in one document (alias bombs). */
  maxAliasCount: number;
}

export const DEFAULT_REPLAY_LIMITS: Readonly<ReplayInputLimits> = Object.freeze({
  maxDocumentBytes: 8 * 1024 * 1024,
  maxDocuments: 200_000,
  maxDepth: 64,
  maxAliasCount: 100,
});

/** A document's deepest nesting, stopping as soon as it passes `max`. Iterative: no stack to overflow. */
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d >= max) return true;
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return false;
}

/** YAML documents of a stream, split on `---` lines so each is size-checked before it is parsed. */
function splitYamlDocuments(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const marker = /^---(?=[ \t\r]|$)/gm;
  let from = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (m.index > from || out.length === 0) out.push({ start: from, text: text.slice(from, m.index) });
    from = m.index;
  }
  out.push({ start: from, text: text.slice(from) });
  return out;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!;
}

export function parseReplayInput(text: string, limits: Partial<ReplayInputLimits> = {}): ReplayItem[] {
  const lim: ReplayInputLimits = { ...DEFAULT_REPLAY_LIMITS, ...limits };
  const raw: { index: string; line: number; value?: unknown; error?: string }[] = [];
  const lineOf = lineCounter(text);
  if (looksLikeJson(text)) {
    splitJsonStream(text, { maxValueBytes: lim.maxDocumentBytes }).forEach((item, i) => {
      const index = String(i + 1);
      raw.push(
        item.ok
          ? { index, line: item.line, value: item.value }
          : { index, line: item.line, error: item.message },
      );
    });
  } else {
    let n = 0;
    for (const chunk of splitYamlDocuments(text)) {
      const chunkLine = lineOf(chunk.start);
      if (Buffer.byteLength(chunk.text) > lim.maxDocumentBytes) {
        const index = String(++n);
        raw.push({
          index,
          line: chunkLine,
          error: `document of ${Buffer.byteLength(chunk.text)} bytes is over the limit of ${lim.maxDocumentBytes} bytes; not parsed`,
        });
        continue;
      }
      let docs: ReturnType<typeof parseAllDocuments>;
      try {
        docs = parseAllDocuments(chunk.text, { logLevel: "error" });
      } catch (err) {
        raw.push({
          index: String(++n),
          line: chunkLine,
          error: `invalid YAML: ${firstLine((err as Error).message)}`,
        });
        continue;
      }
      for (const doc of Array.isArray(docs) ? docs : [docs]) {
        const index = String(++n);
        const contents = doc.contents as { range?: [number, number, number] } | null;
        const line = lineOf(chunk.start + (contents?.range?.[0] ?? doc.range?.[0] ?? 0));
        if (doc.errors.length > 0) {
          const err = doc.errors[0]!;
          const errorLine = err.linePos?.[0]?.line;
          raw.push({
            index,
            line: errorLine !== undefined ? chunkLine + errorLine - 1 : line,
            error: `invalid YAML: ${firstLine(err.message)}`,
          });
          continue;
        }
        let value: unknown;
        try {
          value = doc.toJS({ maxAliasCount: lim.maxAliasCount });
        } catch (err) {
          // e.g. an alias bomb: "Excessive alias count indicates a resource exhaustion attack"
          raw.push({ index, line, error: `invalid YAML: ${firstLine((err as Error).message)}` });
          continue;
        }
        if (value === null || value === undefined) continue; // an empty document (e.g. a trailing ---)
        raw.push({ index, line, value });
      }
    }
  }
  if (raw.length > lim.maxDocuments) {
    const first = raw[lim.maxDocuments]!;
    raw.length = lim.maxDocuments;
    raw.push({
      index: first.index,
      line: first.line,
      error: `more than ${lim.maxDocuments} documents: this one and the rest are not read`,
    });
  }
  for (const r of raw) {
    if (r.error === undefined && tooDeep(r.value, lim.maxDepth)) {
      r.error = `nested deeper than ${lim.maxDepth} levels; not read`;
      r.value = undefined;
    }
  }
  const items: ReplayItem[] = [];
  for (const r of raw) {
    if (r.error !== undefined) {
      items.push({ ok: false, index: r.index, line: r.line, message: r.error });
      continue;
    }
    if (isPlainObject(r.value) && r.value.kind === "List" && Array.isArray(r.value.items)) {
      r.value.items.forEach((item, j) => {
        items.push(toItem(item, `${r.index}.${j + 1}`, r.line));
      });
      continue;
    }
    items.push(toItem(r.value, r.index, r.line));
  }
  return items;
}

function toItem(value: unknown, index: string, line: number): ReplayItem {
  const checked = checkDocument(value);
  return typeof checked === "string"
    ? { ok: false, index, line, message: checked }
    : { ok: true, index, line, input: checked };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return `a ${typeof v}`;
}

/** The document as a watch event or object, or why it is not one. */
export function checkDocument(value: unknown): WatchEvent | KubeObject | string {
  if (!isPlainObject(value)) return `not an object (got ${describeType(value)})`;
  if (value.metadata === undefined && "type" in value && "object" in value) {
    if (typeof value.type !== "string" || !EVENT_TYPES.includes(value.type)) {
      return `watch event type ${JSON.stringify(value.type)} is not one of ${EVENT_TYPES.join(", ")}`;
    }
    if (value.type === "BOOKMARK") return value as unknown as WatchEvent;
    const obj = checkObject(value.object);
    return typeof obj === "string"
      ? `watch event object: ${obj}`
      : { type: value.type as WatchEvent["type"], object: obj };
  }
  return checkObject(value);
}

function checkObject(value: unknown): KubeObject | string {
  if (!isPlainObject(value)) return `not an object (got ${describeType(value)})`;
  if (value.kind === undefined)
    return "no kind (expected a Kubernetes object or a watch event {type, object})";
  if (!isKnownKind(value.kind)) {
    return `unknown kind ${JSON.stringify(value.kind)} (expected one of ${KNOWN_KINDS.join(", ")}, or List)`;
  }
  const meta = value.metadata;
  if (!isPlainObject(meta) || typeof meta.name !== "string" || meta.name.length === 0) {
    return `${value.kind} without metadata.name`;
  }
  for (const field of ["spec", "status"] as const) {
    if (value[field] !== undefined && value[field] !== null && !isPlainObject(value[field])) {
      return `${value.kind} ${meta.name}: ${field} is ${describeType(value[field])}, not an object`;
    }
  }
  return value as unknown as KubeObject;
}

function lineCounter(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
