// Thin raw REST access to the Kubernetes API through client-node's KubeConfig (auth, TLS, proxies): the
// reflector needs list with limit/continue and watch with resourceVersion on any resource path.
import { HttpMethod, type KubeConfig, RequestContext } from "@kubernetes/client-node";
import { type Dispatcher, fetch } from "undici";

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
 * request context, that is a new connection and TLS handshake per request. The first one is kept and reused; the
 * authentication headers are still applied per request (tokens refresh).
 */
const dispatchers = new WeakMap<KubeConfig, Dispatcher | undefined>();

function dispatcherFor(kc: KubeConfig, ctx: RequestContext): Dispatcher | undefined {
  if (!dispatchers.has(kc)) dispatchers.set(kc, ctx.getDispatcher() as Dispatcher | undefined);
  return dispatchers.get(kc);
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
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const url = new URL(serverUrl(kc) + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const ctx = new RequestContext(url.toString(), HttpMethod[method]);
  await kc.applySecurityAuthentication(ctx);
  const headers: Record<string, string> = { ...ctx.getHeaders(), accept: "application/json" };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = opts.contentType ?? "application/json";
  }
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 30_000)];
  if (opts.signal) signals.push(opts.signal);
  const res = await fetch(url, {
    method,
    headers,
    body,
    dispatcher: dispatcherFor(kc, ctx),
    signal: AbortSignal.any(signals),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) {
    let reason: string | undefined;
    let message = `${method} ${path}: HTTP ${res.status}`;
    try {
      const status = JSON.parse(text) as { reason?: string; message?: string };
      reason = status.reason;
      if (status.message) message += `: ${status.message}`;
    } catch {
      // not a Status object
    }
    throw new KubeApiError(message, res.status, reason);
  }
  return (text ? JSON.parse(text) : {}) as T;
}
