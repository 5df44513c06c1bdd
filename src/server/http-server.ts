// /metrics, /healthz (process alive, unless a liveness check names what cannot recover) and /readyz (every readiness check passes; failing parts are named).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { HttpRoute } from "./http-route.ts";

export interface ReadinessCheck {
  name: string;
  /** Resolves to undefined when ready, or to a short reason when not. */
  check: () => Promise<string | undefined> | string | undefined;
  /** Extra detail shown on /readyz without failing it (e.g. config errors while the last good config runs). */
  info?: () => string | undefined;
}

export interface HttpServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: {
  port: number;
  host?: string;
  registry: Registry;
  readiness: ReadinessCheck[];
  /**
   * What makes the process useless until restarted (e.g. a Redis client that gave up for good): a reason fails
   * /healthz (503), so the kubelet restarts the container. Undefined = alive.
   */
  liveness?: () => string | undefined;
  /**
   * A check that has not answered within this time fails with "no answer within N ms" (default 1500, below the
   * chart's 3 s probe timeout): e.g. a Redis PING waits for a reconnect instead of failing while Redis is down.
   */
  checkTimeoutMs?: number;
  /** More routes (the console's API and pages), asked in order before the built-in paths. */
  routes?: HttpRoute[];
}): Promise<HttpServer> {
  const checkTimeoutMs = opts.checkTimeoutMs ?? 1500;
  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0] ?? "/";
    for (const route of opts.routes ?? []) if (route(req, res, url)) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (url === "/healthz") {
      const dead = opts.liveness?.();
      if (dead === undefined) res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      else res.writeHead(503, { "content-type": "text/plain" }).end(`not alive: ${dead}\n`);
      return;
    }
    if (url === "/readyz") {
      void Promise.all(
        opts.readiness.map(async (c) => {
          try {
            return [c.name, await withTimeout(c.check(), checkTimeoutMs), c.info?.()] as const;
          } catch (err) {
            return [
              c.name,
              `check failed: ${err instanceof Error ? err.message : String(err)}`,
              undefined,
            ] as const;
          }
        }),
      ).then((results) => {
        const failing = results.filter(([, reason]) => reason !== undefined);
        const body = results
          .map(
            ([name, reason, info]) =>
              `[${reason === undefined ? "+" : "-"}]${name} ${reason ?? "ok"}${info ? ` (${info})` : ""}`,
          )
          .join("\n");
        res
          .writeHead(failing.length === 0 ? 200 : 503, { "content-type": "text/plain" })
          .end(
            `${body}\n${failing.length === 0 ? "ready" : `not ready: ${failing.map(([n]) => n).join(", ")}`}\n`,
          );
      });
      return;
    }
    if (url === "/metrics") {
      void opts.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": opts.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    server,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function withTimeout(
  value: Promise<string | undefined> | string | undefined,
  ms: number,
): Promise<string | undefined> | string | undefined {
  if (!(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}
