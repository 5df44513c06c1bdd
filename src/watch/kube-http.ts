// Thin raw REST access to the Kubernetes API through client-node's KubeConfig (auth, TLS, proxies): the
// reflector needs list with limit/continue and watch with resourceVersion on any resource path; leases, config
// reads and a Kubernetes Event per delivery go through here too, so it is on undici's Dispatcher API
// (`dispatcher.request`), not `fetch`: no WHATWG Request/Response/streams and no AbortSignal.any per call (a
// profile of the pipeline benchmark had fetch's machinery at four times the cost of the request itself).
import type { KubeConfig } from "@kubernetes/client-node";
import { HttpMethod, RequestContext } from "@kubernetes/client-node/dist/gen/http/http.js";
import { type Dispatcher, getGlobalDispatcher } from "undici";
import { credentialHeaders } from "./kube-credentials.ts";

export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  constructor(message: string, statusCode: number, reason?: string) {
    super(message);
    this.name = "KubeApiError";
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

function serverUrl(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  return cluster.server.replace(/\/+$/, "");
}

/**
 * The connection pool per KubeConfig: client-node makes a new dispatcher (TLS settings of the cluster) for every
 * request context, that is a new connection and TLS handshake per request. The first one is kept and reused
 * (none: undici's global one, as fetch would); the authentication headers are still applied per request
 * (tokens refresh), after the first through kube-credentials.ts, which makes no dispatcher.
 */
const dispatchers = new WeakMap<KubeConfig, Dispatcher | undefined>();

/** Path and query as sent: the query form-encoded as URLSearchParams (WHATWG URL) writes it. */
function pathWithQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  let params: URLSearchParams | undefined;
  for (const k in query) {
    const v = query[k];
    if (v === undefined) continue;
    params ??= new URLSearchParams();
    params.set(k, String(v));
  }
  return params ? `${path}?${params}` : path;
}

/** The request target; a path with characters a URL would escape (callers encode names) goes through one. */
function target(kc: KubeConfig, path: string, query: Query | undefined): { origin: string; path: string } {
  let url = serverUrl(kc) + pathWithQuery(path, query);
  if (/[^\x21-\x7e]/.test(url)) url = new URL(url).href;
  // origin: scheme://host[:port]; everything after it (a server URL may carry a path prefix) is the path
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? { origin: url, path: "/" } : { origin: url.slice(0, slash), path: url.slice(slash) };
}

/** What AbortSignal.timeout aborts with. */
function timeoutError(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/** Performs one request and returns the parsed JSON body; non-2xx answers raise KubeApiError. */
export async function kubeRequest<T>(
  kc: KubeConfig,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  opts: {
    query?: Query;
    body?: unknown;
    contentType?: string;
    /** For the whole exchange, answer read included (default 30 s). */
    timeoutMs?: number;
    signal?: AbortSignal;
    /** "discard": a 2xx answer's body is read off the connection unparsed and undefined returned (writes whose
     * answer nobody reads, e.g. a Kubernetes Event); an error's Status is still read. Default "json". */
    answer?: "json" | "discard";
  } = {},
): Promise<T> {
  const caller = opts.signal;
  if (caller?.aborted) throw caller.reason;
  const to = target(kc, path, opts.query);
  let credentials: Record<string, string>;
  let dispatcher = dispatchers.get(kc);
  if (dispatcher === undefined && !dispatchers.has(kc)) {
    // the first request: the whole of client-node's call, for the dispatcher it makes (kept)
    const ctx = new RequestContext(to.origin + to.path, HttpMethod[method]);
    await kc.applySecurityAuthentication(ctx);
    // (unless a request started meanwhile got there first)
    if (!dispatchers.has(kc)) dispatchers.set(kc, ctx.getDispatcher() as Dispatcher | undefined);
    dispatcher = dispatchers.get(kc);
    credentials = ctx.getHeaders();
  } else {
    credentials = await credentialHeaders(kc, to.origin + to.path, method);
  }
  const headers: Record<string, string> = { ...credentials, accept: "application/json" };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = opts.contentType ?? "application/json";
  }
  // one controller and one timer per request: the deadline and the caller's abort, with their reasons
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(timeoutError()), opts.timeoutMs ?? 30_000);
  const onAbort = () => ac.abort(caller?.reason);
  caller?.addEventListener("abort", onAbort);
  let statusCode: number;
  let text: string;
  try {
    if (caller?.aborted) throw caller.reason;
    const res = await (dispatcher ?? getGlobalDispatcher()).request({
      origin: to.origin,
      path: to.path,
      method,
      headers,
      body,
      signal: ac.signal,
    });
    statusCode = res.statusCode;
    if (opts.answer === "discard" && statusCode >= 200 && statusCode < 300) {
      await res.body.dump();
      return undefined as T;
    }
    text = await res.body.text();
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onAbort);
  }
  if (statusCode < 200 || statusCode >= 300) {
    let reason: string | undefined;
    let message = `${method} ${path}: HTTP ${statusCode}`;
    try {
      const status = JSON.parse(text) as { reason?: string; message?: string };
      reason = status.reason;
      if (status.message) message += `: ${status.message}`;
    } catch {
      // not a Status object
    }
    throw new KubeApiError(message, statusCode, reason);
  }
  return (text ? JSON.parse(text) : {}) as T;
}
