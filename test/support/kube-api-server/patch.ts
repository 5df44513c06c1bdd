// The patch formats the API server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and, for
// built-in kinds only, strategic merge patch. Custom resources refuse strategic merge patch with 415 like the
// real server. For our built-in kinds (ConfigMap, Secret, Namespace, Lease) strategic merge is treated as a
// JSON merge patch with list replacement: their only lists (Namespace spec.finalizers, ownerReferences) use
// replace semantics in practice and no test relies on merge keys or $patch directives.
import { KubeStatusError, statusFailure } from "./status-errors.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const APPLY_PATCH = "application/apply-patch+yaml";

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, everything else (arrays too) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch as Json);
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function invalidPatch(message: string): KubeStatusError {
  return new KubeStatusError(statusFailure(422, message, "Invalid"));
}

function decodePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw invalidPatch(`JSON pointer "${path}" must start with "/"`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

interface Located {
  parent: Json[] | Record<string, Json>;
  key: string;
}

function locate(doc: Json, tokens: string[], path: string): Located {
  let node: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node)
      ? node[Number(t)]
      : isObject(node)
        ? node[t]
        : undefined;
    if (next === undefined) throw invalidPatch(`doc is missing path: "${path}": missing value`);
    node = next;
  }
  if (!Array.isArray(node) && !isObject(node)) throw invalidPatch(`doc is missing path: "${path}"`);
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let node: Json | undefined = doc;
  for (const t of decodePointer(path)) {
    node = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
    if (node === undefined) throw invalidPatch(`doc is missing path: "${path}": missing value`);
  }
  return node;
}

function arrayIndex(arr: Json[], key: string, path: string, forInsert: boolean): number {
  if (forInsert && key === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw invalidPatch(`invalid array index "${key}" in "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length))
    throw invalidPatch(`index out of range in "${path}"`);
  return i;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, path, true), 0, value);
  else parent[key] = value;
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = decodePointer(path);
  const { parent, key } = locate(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, path, false), 1);
  else {
    if (!Object.hasOwn(parent, key))
      throw invalidPatch(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 operations applied in order; any failure rejects the whole patch (422). */
export function applyJsonPatch(target: unknown, patch: unknown): Json {
  if (!Array.isArray(patch))
    throw new KubeStatusError(statusFailure(400, "json patch must be an array of operations"));
  let doc = structuredClone(target as Json);
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new KubeStatusError(statusFailure(400, `invalid json patch operation: ${JSON.stringify(raw)}`));
    }
    const { op, path } = raw;
    const value = structuredClone(raw.value as Json);
    switch (op) {
      case "add":
        doc = addAt(doc, path, value);
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "replace":
        getAt(doc, path);
        doc = path === "" ? value : addAt(removeAt(doc, path), path, value);
        break;
      case "move": {
        const moved = structuredClone(getAt(doc, String(raw.from)));
        doc = addAt(removeAt(doc, String(raw.from)), path, moved);
        break;
      }
      case "copy":
        doc = addAt(doc, path, structuredClone(getAt(doc, String(raw.from))));
        break;
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(value)) {
          throw invalidPatch(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw new KubeStatusError(statusFailure(400, `unexpected json patch op "${op}"`));
    }
  }
  return doc;
}
