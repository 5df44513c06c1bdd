// The node:http request handler: auth, fault hooks, discovery, and the REST verbs on resource paths
// (/api/v1/..., /apis/G/V/..., namespaced and all-namespace collections, objects, the status subresource).
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/objects.ts";
import type { ApiObjects, WriteOptions } from "./api-objects.ts";
import type { AuthReviews } from "./auth-reviews.ts";
import {
  AGGREGATED_DISCOVERY_V2,
  aggregatedDiscovery,
  legacyCoreVersions,
  legacyGroup,
  legacyGroupList,
  resourceList,
  SERVER_VERSION,
  wantsAggregatedDiscovery,
} from "./discovery.ts";
import type { Faults } from "./faults.ts";
import { listObjects } from "./list.ts";
import { openApiGroupVersion, openApiIndex } from "./openapi.ts";
import { APPLY_PATCH } from "./patch.ts";
import { decodeProtobufObject, PROTOBUF } from "./protobuf.ts";
import { SERVED_RESOURCES, type ServedResource } from "./resources.ts";
import {
  badRequest,
  injectedFailure,
  KubeStatusError,
  methodNotAllowed,
  pathNotFound,
  statusFailure,
} from "./status-errors.ts";
import { toTable, wantsTable } from "./table.ts";
import type { VersionedStore } from "./versioned-store.ts";
import { assertNoBadWatchParams, isWatchRequest, serveWatch } from "./watch-stream.ts";

export interface HandlerContext {
  objects: ApiObjects;
  store: VersionedStore;
  faults: Faults;
  /** A request carrying another bearer token gets 401. */
  token: string | undefined;
  /** Also answer 401 to requests without a token. kubectl (client-go) never sends a bearer token over plain
   * http, so by default token-less requests are served, like the old insecure port. */
  requireToken: boolean;
  bookmarkIntervalMs: number;
  hostPort: () => string;
  /** TokenReview / SubjectAccessReview answers. */
  reviews: AuthReviews;
}

const REVIEW_PATHS: Record<string, (r: AuthReviews, body: unknown) => object> = {
  "/apis/authentication.k8s.io/v1/tokenreviews": (r, body) => r.tokenReview(body),
  "/apis/authorization.k8s.io/v1/subjectaccessreviews": (r, body) => r.subjectAccessReview(body),
};

interface ResourceRoute {
  r: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const PUBLIC_PATHS = new Set(["/version", "/healthz", "/livez", "/readyz"]);

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  if (res.headersSent) return;
  res.writeHead(code, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a written object, with a `Warning: 299` header per unknown field (fieldValidation=Warn). */
function sendWritten(res: ServerResponse, code: number, obj: KubeObject, opts: WriteOptions): void {
  const warnings = opts.warnings ?? [];
  if (warnings.length > 0)
    res.setHeader(
      "warning",
      warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    );
  sendJson(res, code, obj);
}

function sendStatus(res: ServerResponse, err: KubeStatusError): void {
  sendJson(res, err.status.code, err.status);
}

/** Splits /api/v1/... or /apis/G/V/... into a resource route; undefined when no served resource matches. */
export function parseResourcePath(pathname: string): ResourceRoute | undefined {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  const find = (plural: string | undefined) =>
    SERVED_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const r = find(rest[2]);
    if (r?.namespaced && rest.length <= 5) {
      const route: ResourceRoute = { r, namespace: rest[1]! };
      if (rest[3] !== undefined) route.name = rest[3];
      if (rest[4] !== undefined) route.subresource = rest[4];
      return route;
    }
  }
  const r = find(rest[0]);
  if (!r || rest.length > 3 || (r.namespaced && rest.length > 1)) return undefined;
  const route: ResourceRoute = { r };
  if (rest[1] !== undefined) route.name = rest[1];
  if (rest[2] !== undefined) route.subresource = rest[2];
  return route;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(body: Buffer, contentType: string): unknown {
  if (contentType === PROTOBUF) return decodeProtobufObject(body);
  const text = body.toString("utf8");
  if (text.trim() === "") throw badRequest("the request body is empty");
  try {
    return contentType.includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch {
    // no parser message: it quotes the body, which may hold Secret data
    throw badRequest(`couldn't decode the request body as ${contentType}`);
  }
}

function serveDiscovery(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): boolean {
  const accept = req.headers.accept;
  if (path === "/version") sendJson(res, 200, SERVER_VERSION);
  else if (path === "/healthz" || path === "/livez" || path === "/readyz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  } else if (path === "/openapi/v3") {
    sendJson(res, 200, openApiIndex());
  } else if (path.startsWith("/openapi/v3/")) {
    const doc = openApiGroupVersion(path.slice("/openapi/v3/".length));
    if (doc === undefined) throw pathNotFound();
    sendJson(res, 200, doc);
  } else if (path === "/api") {
    if (wantsAggregatedDiscovery(accept))
      sendJson(res, 200, aggregatedDiscovery(true), AGGREGATED_DISCOVERY_V2);
    else sendJson(res, 200, legacyCoreVersions(ctx.hostPort()));
  } else if (path === "/apis") {
    if (wantsAggregatedDiscovery(accept))
      sendJson(res, 200, aggregatedDiscovery(false), AGGREGATED_DISCOVERY_V2);
    else sendJson(res, 200, legacyGroupList());
  } else {
    const parts = path.split("/").filter(Boolean);
    let doc: unknown;
    if (parts[0] === "api" && parts.length === 2) doc = resourceList("", parts[1]!);
    else if (parts[0] === "apis" && parts.length === 2) doc = legacyGroup(parts[1]!);
    else if (parts[0] === "apis" && parts.length === 3) doc = resourceList(parts[1]!, parts[2]!);
    else return false;
    if (doc === undefined) throw pathNotFound();
    sendJson(res, 200, doc);
  }
  return true;
}

function writeOptions(query: URLSearchParams, subresource: string | undefined): WriteOptions {
  const opts: WriteOptions = {};
  if (subresource === "status") opts.subresource = "status";
  if (query.getAll("dryRun").includes("All")) opts.dryRun = true;
  const fm = query.get("fieldManager");
  if (fm) opts.fieldManager = fm;
  const fv = query.get("fieldValidation");
  if (fv === "Strict" || fv === "Warn" || fv === "Ignore") opts.fieldValidation = fv;
  else if (fv)
    throw badRequest(
      `fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
    );
  opts.warnings = [];
  return opts;
}

async function serveResource(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
): Promise<void> {
  const { r, namespace, name, subresource } = route;
  const method = req.method ?? "GET";
  const q = Object.fromEntries(query.entries());
  if (subresource !== undefined && (subresource !== "status" || !r.statusSubresource)) throw pathNotFound();
  const contentType = (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim();

  if (name === undefined) {
    if (method === "GET" && isWatchRequest(query)) {
      assertNoBadWatchParams(q);
      serveWatch(ctx, req, res, r, namespace, q, undefined, wantsTable(req.headers.accept));
      return;
    }
    if (method === "GET") {
      const list = listObjects(ctx.store, r, namespace, q);
      if (wantsTable(req.headers.accept)) sendJson(res, 200, toTable(r, list.items, list.metadata));
      else sendJson(res, 200, list);
      return;
    }
    if (method === "POST") {
      if (r.namespaced && namespace === undefined) throw methodNotAllowed();
      const body = parseBody(await readBody(req), contentType) as KubeObject;
      const opts = writeOptions(query, undefined);
      const created = ctx.objects.create(r, namespace, body, opts);
      sendWritten(res, 201, created, opts);
      return;
    }
    throw methodNotAllowed();
  }

  switch (method) {
    case "GET": {
      if (isWatchRequest(query)) {
        serveWatch(ctx, req, res, r, namespace, q, name, wantsTable(req.headers.accept));
        return;
      }
      const obj = ctx.objects.get(r, namespace, name);
      if (wantsTable(req.headers.accept))
        sendJson(res, 200, toTable(r, [obj], { resourceVersion: obj.metadata.resourceVersion ?? "" }));
      else sendJson(res, 200, obj);
      return;
    }
    case "PUT": {
      const body = parseBody(await readBody(req), contentType) as KubeObject;
      const opts = writeOptions(query, subresource);
      sendWritten(res, 200, ctx.objects.update(r, namespace, name, body, opts), opts);
      return;
    }
    case "PATCH": {
      const body = await readBody(req);
      const patch = contentType === APPLY_PATCH ? body.toString("utf8") : parseBody(body, contentType);
      const opts = writeOptions(query, subresource);
      const existed = ctx.store.get(r, r.namespaced ? namespace : undefined, name) !== undefined;
      const patched = ctx.objects.patch(r, namespace, name, patch, contentType, opts);
      sendWritten(res, existed ? 200 : 201, patched, opts);
      return;
    }
    case "DELETE": {
      if (subresource) throw methodNotAllowed();
      const body = await readBody(req);
      const json = contentType !== PROTOBUF && body.toString("utf8").trim() !== "";
      const options = (json ? parseBody(body, contentType) : {}) as {
        preconditions?: { resourceVersion?: string; uid?: string };
      };
      const deleted = ctx.objects.delete(
        r,
        namespace,
        name,
        options.preconditions ?? {},
        writeOptions(query, undefined),
      );
      if (r.custom || r.kind === "Namespace" || deleted.metadata.deletionTimestamp)
        sendJson(res, 200, deleted);
      else {
        sendJson(res, 200, {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: {
            name,
            ...(r.group ? { group: r.group } : {}),
            kind: r.plural,
            uid: deleted.metadata.uid,
          },
        });
      }
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

export function createRequestHandler(
  ctx: HandlerContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(ctx, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof KubeStatusError) sendStatus(res, err);
      else
        sendJson(res, 500, statusFailure(500, `internal error: ${(err as Error)?.message ?? String(err)}`));
    });
  };
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  ctx.faults.requests.push({
    method,
    path,
    query: Object.fromEntries(url.searchParams.entries()),
    watch: isWatchRequest(url.searchParams),
  });
  if (ctx.token !== undefined && !PUBLIC_PATHS.has(path)) {
    const auth = req.headers.authorization;
    if ((auth !== undefined || ctx.requireToken) && auth !== `Bearer ${ctx.token}`) {
      sendJson(res, 401, statusFailure(401, "Unauthorized", "Unauthorized"));
      return;
    }
  }
  const delay = ctx.faults.delayFor(method, path);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const failure = ctx.faults.takeFailure(method, path);
  if (failure !== undefined) {
    await readBody(req);
    sendJson(res, failure, injectedFailure(failure));
    return;
  }
  const review = REVIEW_PATHS[path];
  if (review) {
    if (method !== "POST") throw methodNotAllowed();
    const contentType = (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim();
    sendJson(res, 201, review(ctx.reviews, parseBody(await readBody(req), contentType)));
    return;
  }
  if (serveDiscovery(ctx, req, res, path)) return;
  const route = parseResourcePath(path);
  if (!route) throw pathNotFound();
  await serveResource(ctx, req, res, route, url.searchParams);
}
