// How the informer caches hold an object: `metadata` (and apiVersion, kind) as parsed JS values, because routing,
// owner lookups and namespace filters read them for every cached run of a namespace; everything else (spec,
// status, data, …) as UTF-8 JSON in a Buffer of its own, outside the V8 heap. Parsed, a trimmed AnalysisRun's
// spec and status take ~2 KB of heap that survives into the old generation (and makes V8 grow the young one);
// as a Buffer they are ~1.2 KB of malloc'd memory and a ~100-byte handle.
//
// `expandObject` gives back a plain-looking KubeObject whose other top-level fields are enumerable own getters
// that parse the text on first access (once per expanded copy). So `get`/`list` are cheap, a filter on metadata
// over hundreds of cached runs parses none of them, and JSON.stringify, spread, Object.entries, structuredClone
// and template lookups see the same fields as the original. Assigning a field replaces it on that copy only.
// `metadata` is shared between copies and with the cache: treat it as read-only (as the cached objects were).
import type { KubeObject, ObjectMeta } from "../kube/objects.ts";

export interface CompactObject {
  /** Top-level field names in their original order (interned: one array per distinct shape). */
  readonly keys: readonly string[];
  readonly apiVersion: string | undefined;
  readonly kind: string | undefined;
  readonly metadata: ObjectMeta;
  /** UTF-8 JSON of the fields other than apiVersion, kind and metadata (undefined when there are none). */
  readonly body: Buffer | undefined;
}

const EAGER = new Set(["apiVersion", "kind", "metadata"]);
const internedKeys = new Map<string, readonly string[]>();

function intern(keys: string[]): readonly string[] {
  const id = keys.join("\u0000");
  let shared = internedKeys.get(id);
  if (!shared) {
    shared = Object.freeze(keys);
    internedKeys.set(id, shared);
  }
  return shared;
}

export function compactObject(obj: KubeObject): CompactObject {
  const keys: string[] = [];
  const rest: Record<string, unknown> = {};
  let lazy = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue; // as JSON would drop it
    keys.push(k);
    if (!EAGER.has(k)) {
      rest[k] = v;
      lazy++;
    }
  }
  return {
    keys: intern(keys),
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: obj.metadata,
    body: lazy > 0 ? ownBuffer(JSON.stringify(rest)) : undefined,
  };
}

/** A Buffer with its own memory: Buffer.from slices a shared 8 KB pool, which one live slice keeps allocated. */
function ownBuffer(text: string): Buffer {
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  buf.write(text);
  return buf;
}

/** A KubeObject view of a compact object; non-metadata fields are parsed on first access. */
export function expandObject(c: CompactObject): KubeObject {
  let parsed: Record<string, unknown> | undefined;
  const body = () => {
    parsed ??= (c.body ? JSON.parse(c.body.toString("utf8")) : {}) as Record<string, unknown>;
    return parsed;
  };
  const out: Record<string, unknown> = {};
  for (const k of c.keys) {
    if (k === "metadata") out.metadata = c.metadata;
    else if (k === "apiVersion") out.apiVersion = c.apiVersion;
    else if (k === "kind") out.kind = c.kind;
    else {
      Object.defineProperty(out, k, {
        enumerable: true,
        configurable: true,
        get: () => body()[k],
        set(value: unknown) {
          Object.defineProperty(this, k, { value, enumerable: true, configurable: true, writable: true });
        },
      });
    }
  }
  return out as unknown as KubeObject;
}
