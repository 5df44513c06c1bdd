// WATCH: a chunked stream of JSON lines {"type","object"}, as the real server writes it.
// - resourceVersion absent or "0": synthetic ADDED events for the current state, then changes;
//   sendInitialEvents=true (streaming list) does the same and ends the initial state with a BOOKMARK annotated
//   k8s.io/initial-events-end; resourceVersion N: replays history after N, or, when N is older than the
//   retained history, answers 200 with one ERROR event (Status 410 Expired) and closes;
// - label/field selectors filter per event; an object that stops (starts) matching is sent as DELETED (ADDED);
// - allowWatchBookmarks: periodic BOOKMARK events carrying only kind, apiVersion and metadata.resourceVersion;
// - timeoutSeconds ends the stream cleanly.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../../src/kube/objects.ts";
import type { Faults, OpenWatch } from "./faults.ts";
import { parseResourceVersion } from "./list.ts";
import { apiVersionOf, resourceId, type ServedResource } from "./resources.ts";
import { type ObjectPredicate, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { badRequest, KubeStatusError, statusFailure } from "./status-errors.ts";
import { toTable } from "./table.ts";
import type { StoredEvent, VersionedStore } from "./versioned-store.ts";

export interface WatchQuery {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  allowWatchBookmarks?: string;
  sendInitialEvents?: string;
  timeoutSeconds?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchContext {
  store: VersionedStore;
  faults: Faults;
  bookmarkIntervalMs: number;
}

type Line = { type: string; object: unknown };

const TOO_LARGE_WAIT_MS = 3000;

/** Validates the query and starts streaming; throws KubeStatusError before any byte is written. */
export function serveWatch(
  ctx: WatchContext,
  req: IncomingMessage,
  res: ServerResponse,
  r: ServedResource,
  namespace: string | undefined,
  q: WatchQuery,
  onlyName?: string,
  asTable = false,
): void {
  const byLabel = parseLabelSelector(q.labelSelector);
  const byField = parseFieldSelector(q.fieldSelector, r.kind);
  const inScope: ObjectPredicate = (o) =>
    (!r.namespaced || namespace === undefined || o.metadata.namespace === namespace) &&
    (onlyName === undefined || o.metadata.name === onlyName);
  const selected: ObjectPredicate = (o) => inScope(o) && byLabel(o) && byField(o);
  const bookmarks = q.allowWatchBookmarks === "true" || q.allowWatchBookmarks === "1";
  const timeoutSeconds = q.timeoutSeconds ? parseResourceVersion(q.timeoutSeconds, "timeoutSeconds") : 0;
  const streamingList = q.sendInitialEvents === "true";
  if (q.sendInitialEvents !== undefined && (q.resourceVersionMatch !== "NotOlderThan" || !bookmarks)) {
    throw new KubeStatusError(
      statusFailure(
        422,
        "sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks",
        "Invalid",
      ),
    );
  }
  const rvParam = q.resourceVersion ?? "";
  const startRv = rvParam === "" ? undefined : parseResourceVersion(rvParam);
  const apiVersion = apiVersionOf(r);

  ctx.faults.watchesStarted += 1;
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache, private" });
  res.flushHeaders();
  let tableHeaderSent = false;
  const write = (line: Line) => {
    if (res.writableEnded || res.destroyed) return;
    if (asTable && line.type !== "ERROR" && line.type !== "BOOKMARK") {
      // `kubectl get -w` asks for Table events: one row each, column definitions on the first only
      const obj = line.object as KubeObject;
      line = {
        type: line.type,
        object: toTable(r, [obj], { resourceVersion: obj.metadata.resourceVersion }, !tableHeaderSent),
      };
      tableHeaderSent = true;
    }
    res.write(`${JSON.stringify(line)}\n`);
  };
  const expire = (message: string) => {
    write({ type: "ERROR", object: statusFailure(410, message, "Expired") });
    res.end();
  };

  if (ctx.faults.takeForcedExpiry()) {
    expire(
      `too old resource version: ${rvParam || "0"} (${ctx.store.resourceVersion}) (forced by a test fault hook)`,
    );
    return;
  }

  let initial: KubeObject[] = [];
  let replay: StoredEvent[] = [];
  const withInitialState = streamingList || startRv === undefined || startRv === 0;
  if (withInitialState) {
    if (q.sendInitialEvents !== "false") initial = ctx.store.snapshot(r).filter(selected);
  } else {
    if (startRv! < ctx.store.compactedResourceVersion) {
      expire(`too old resource version: ${startRv} (${ctx.store.compactedResourceVersion})`);
      return;
    }
    replay = ctx.store.eventsAfter(r, startRv!);
  }

  const id = resourceId(r);
  const translate = (e: StoredEvent): Line | undefined => {
    if (resourceId(e.resource) !== id || !inScope(e.object)) return undefined;
    const now = selected(e.object);
    const before = e.previous !== undefined && e.type !== "ADDED" && selected(e.previous);
    if (e.type === "DELETED") return before || now ? { type: "DELETED", object: e.object } : undefined;
    if (e.type === "ADDED") return now ? { type: "ADDED", object: e.object } : undefined;
    if (now && before) return { type: "MODIFIED", object: e.object };
    if (now) return { type: "ADDED", object: e.object };
    if (before) return { type: "DELETED", object: e.object };
    return undefined;
  };
  // A resourceVersion from the future (e.g. remembered from another server): the watch cache waits up to
  // 3 s for it, then answers ERROR 504 "Too large resource version"; events up to it are not sent.
  const future = !withInitialState && startRv! > ctx.store.resourceVersion ? startRv! : undefined;
  const bookmark = (annotations?: Record<string, string>) => {
    if (future !== undefined && ctx.store.resourceVersion < future) return;
    write({
      type: "BOOKMARK",
      object: {
        kind: r.kind,
        apiVersion,
        metadata: {
          resourceVersion: String(ctx.store.resourceVersion),
          ...(annotations ? { annotations } : {}),
        },
      },
    });
  };

  // Subscribing in the same tick as the snapshot/replay leaves no gap: the store is synchronous.
  const unsubscribe = ctx.store.subscribe((e) => {
    if (future !== undefined && e.rv <= future) return;
    const line = translate(e);
    if (line) write(line);
  });
  for (const obj of initial) write({ type: "ADDED", object: obj });
  if (streamingList) bookmark({ "k8s.io/initial-events-end": "true" });
  for (const e of replay) {
    const line = translate(e);
    if (line) write(line);
  }

  const timers: NodeJS.Timeout[] = [];
  const handle: OpenWatch = {
    path: req.url ?? "",
    res,
    bookmark: () => {
      if (bookmarks) bookmark();
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
  ctx.faults.openWatches.add(handle);
  if (bookmarks && ctx.bookmarkIntervalMs > 0)
    timers.push(setInterval(() => bookmark(), ctx.bookmarkIntervalMs));
  if (timeoutSeconds > 0) timers.push(setTimeout(() => handle.end(), timeoutSeconds * 1000));
  if (future !== undefined) {
    timers.push(
      setTimeout(() => {
        if (ctx.store.resourceVersion >= future) return;
        const s = statusFailure(
          504,
          `Too large resource version: ${future}, current: ${ctx.store.resourceVersion}`,
          "Timeout",
          {
            causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
          },
        );
        (s.details as Record<string, unknown>).retryAfterSeconds = 1;
        write({ type: "ERROR", object: s });
        handle.end();
      }, TOO_LARGE_WAIT_MS),
    );
  }
  const cleanup = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    ctx.faults.openWatches.delete(handle);
  };
  res.on("close", cleanup);
  res.on("finish", cleanup);
}

export function isWatchRequest(query: URLSearchParams): boolean {
  const w = query.get("watch");
  return w === "true" || w === "1";
}

export function assertNoBadWatchParams(q: WatchQuery): void {
  if (q.resourceVersionMatch && q.resourceVersionMatch !== "NotOlderThan") {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${q.resourceVersionMatch}" for watch`);
  }
}
