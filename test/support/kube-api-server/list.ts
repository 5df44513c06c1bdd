// LIST with the real server's resourceVersion semantics:
// - absent: most recent (consistent read); "0": any (served like the watch cache: limit is ignored);
// - N with resourceVersionMatch unset/NotOlderThan: at least N (504 "Too large resource version" when N is in
//   the future); resourceVersionMatch=Exact: exactly N (410 Expired when compacted);
// - limit/continue: every page is a snapshot of the first page's revision; the continue token names that
//   revision and the last key, and expires (410) once the revision is compacted.
import type { KubeObject } from "../../../src/kube/objects.ts";
import { apiVersionOf, type ServedResource } from "./resources.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { badRequest, expired, KubeStatusError, statusFailure } from "./status-errors.ts";
import { storeKey, type VersionedStore } from "./versioned-store.ts";

export interface ListQuery {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: string;
  continue?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: "meta.k8s.io/v1", rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeContinue(value: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as ContinueToken;
    if (token.v !== "meta.k8s.io/v1" || typeof token.rv !== "number" || typeof token.start !== "string")
      throw 0;
    return token;
  } catch {
    throw badRequest(`continue key is not valid: "${value}"`);
  }
}

export function parseResourceVersion(value: string, param = "resourceVersion"): number {
  if (!/^\d+$/.test(value))
    throw badRequest(`${param}: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

/** Lists one resource (in one namespace or all) following the query's resourceVersion/paging rules. */
export function listObjects(
  store: VersionedStore,
  r: ServedResource,
  namespace: string | undefined,
  q: ListQuery,
): ListResult {
  const byLabel = parseLabelSelector(q.labelSelector);
  const byField = parseFieldSelector(q.fieldSelector, r.kind);
  const limit = q.limit ? parseResourceVersion(q.limit, "limit") : 0;
  let atRv: number;
  let start = "";
  let paginate = limit > 0;
  if (q.continue) {
    if (q.resourceVersion) throw badRequest("specifying resource version is not allowed when using continue");
    const token = decodeContinue(q.continue);
    if (token.rv < store.compactedResourceVersion) {
      throw expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
      );
    }
    atRv = token.rv;
    start = token.start;
  } else if (q.resourceVersionMatch === "Exact") {
    if (!q.resourceVersion || q.resourceVersion === "0") {
      throw badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch "Exact" is forbidden for resourceVersion ""/"0"',
      );
    }
    atRv = parseResourceVersion(q.resourceVersion);
    store.assertRetained(atRv);
    if (atRv > store.resourceVersion) throw tooLarge(atRv, store.resourceVersion);
  } else if (!q.resourceVersion) {
    atRv = store.resourceVersion;
  } else if (q.resourceVersion === "0") {
    atRv = store.resourceVersion;
    paginate = false; // served from the watch cache, which ignores limit
  } else {
    const wanted = parseResourceVersion(q.resourceVersion);
    if (wanted > store.resourceVersion) throw tooLarge(wanted, store.resourceVersion);
    atRv = store.resourceVersion;
  }
  const matching = store
    .snapshot(r, atRv)
    .filter((o) => (r.namespaced && namespace !== undefined ? o.metadata.namespace === namespace : true))
    .filter((o) => byLabel(o) && byField(o))
    .filter((o) => storeKey(o.metadata.namespace, o.metadata.name) >= start);
  const page = paginate ? matching.slice(0, limit) : matching;
  const result: ListResult = {
    kind: `${r.kind}List`,
    apiVersion: apiVersionOf(r),
    metadata: { resourceVersion: String(atRv) },
    // built-in kinds are encoded without apiVersion/kind inside lists; custom resources keep them
    items: page.map((o) => (r.custom ? o : withoutTypeMeta(o))),
  };
  if (paginate && matching.length > page.length) {
    const last = page[page.length - 1]!;
    result.metadata.continue = encodeContinue(atRv, storeKey(last.metadata.namespace, last.metadata.name));
    if (!q.labelSelector && !q.fieldSelector)
      result.metadata.remainingItemCount = matching.length - page.length;
  }
  return result;
}

function withoutTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function tooLarge(wanted: number, current: number): KubeStatusError {
  const s = statusFailure(504, `Too large resource version: ${wanted}, current: ${current}`, "Timeout", {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
  });
  (s.details as Record<string, unknown>).retryAfterSeconds = 1;
  return new KubeStatusError(s);
}
