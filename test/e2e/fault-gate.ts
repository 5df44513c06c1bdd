// An HTTP pass-through in front of a fake API (e.g. fake Slack) that can be told to answer every request with an
// HTTP error for a while — "Slack answers 500 for 60 s" — without the fake's count-based failure scripts.
import { createServer, request, type Server } from "node:http";
import type { Socket } from "node:net";

export interface FaultGate {
  /** Base URL of the gate: `${url}${path}` is forwarded to `${target}${path}`. */
  url: string;
  /** Answers `status` to every request for `ms` (from now). */
  failFor(ms: number, status?: number): void;
  /** Ends a failure period now. */
  heal(): void;
  /** Requests answered with the failure status so far. */
  readonly failedRequests: number;
  /** Whether the gate is failing requests right now. */
  readonly failing: boolean;
  close(): Promise<void>;
}

export async function startFaultGate(target: string): Promise<FaultGate> {
  const upstream = new URL(target);
  let failUntil = 0;
  let failStatus = 500;
  let failed = 0;
  const server: Server = createServer((req, res) => {
    if (Date.now() < failUntil) {
      failed++;
      req.resume();
      res.writeHead(failStatus, { "content-type": "text/plain" });
      res.end(`gate: failing with ${failStatus}`);
      return;
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      if (addr === null || typeof addr === "string") return reject(new Error("no port"));
      resolve(addr.port);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    failFor(ms, status = 500) {
      failStatus = status;
      failUntil = Date.now() + ms;
    },
    heal() {
      failUntil = 0;
    },
    get failedRequests() {
      return failed;
    },
    get failing() {
      return Date.now() < failUntil;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
