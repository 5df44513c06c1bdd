// A real HTTP(S) server on a free 127.0.0.1 port for the fake Slack/PagerDuty/webhook APIs, with the failure modes
// they share: "down" for a period (connection refused, or connections reset on accept), and the queue of failures a
// stand-in answers its next requests with (StandInApi: the server, fail() and close() every stand-in API has).
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";

export type FakeHandler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>;

export type DownMode = "refuse" | "reset";

export class FakeHttpServer {
  readonly port: number;
  readonly url: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #resetUntil = 0;
  #refusing = false;
  #upTimer: NodeJS.Timeout | undefined;

  private constructor(server: Server, port: number, https: boolean) {
    this.#server = server;
    this.port = port;
    this.url = `${https ? "https" : "http"}://127.0.0.1:${port}`;
  }

  static async start(
    handler: FakeHandler,
    opts: { tls?: { key: string; cert: string } } = {},
  ): Promise<FakeHttpServer> {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        Promise.resolve(handler(req, Buffer.concat(chunks), res)).catch((err: unknown) => {
          if (!res.headersSent) {
            res.writeHead(500, { "content-type": "text/plain" });
            res.end(`fake server error: ${err instanceof Error ? err.message : String(err)}`);
          } else res.destroy();
        });
      });
    };
    const server = opts.tls
      ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
      : createHttpServer(listener);
    server.keepAliveTimeout = 60_000;
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const addr = server.address();
        if (addr === null || typeof addr === "string") return reject(new Error("no port"));
        resolve(addr.port);
      });
    });
    const fake = new FakeHttpServer(server, port, opts.tls !== undefined);
    const onConnection = (socket: Socket) => {
      if (Date.now() < fake.#resetUntil) {
        socket.resetAndDestroy();
        return;
      }
      fake.#sockets.add(socket);
      socket.once("close", () => fake.#sockets.delete(socket));
    };
    server.on(opts.tls ? "secureConnection" : "connection", onConnection);
    if (opts.tls)
      server.on("connection", (s: Socket) =>
        Date.now() < fake.#resetUntil ? s.resetAndDestroy() : undefined,
      );
    return fake;
  }

  /** Drops every open connection (clients see a reset on their next use). */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  /**
   * Goes down for `ms`: "refuse" stops listening (connection refused), "reset" accepts and resets connections.
   * Open keep-alive connections are dropped either way.
   */
  async down(ms: number, mode: DownMode = "refuse"): Promise<void> {
    this.dropConnections();
    if (mode === "reset") {
      this.#resetUntil = Date.now() + ms;
      return;
    }
    if (!this.#refusing) {
      this.#refusing = true;
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    }
    clearTimeout(this.#upTimer);
    this.#upTimer = setTimeout(() => void this.up(), ms);
    this.#upTimer.unref();
  }

  /** Back up now. */
  async up(): Promise<void> {
    clearTimeout(this.#upTimer);
    this.#resetUntil = 0;
    if (!this.#refusing) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#refusing = false;
  }

  async close(): Promise<void> {
    clearTimeout(this.#upTimer);
    this.dropConnections();
    if (this.#refusing) return;
    this.#refusing = true;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A failure a stand-in is told to answer a request with: a status (with Retry-After and its own fields), or late. */
export type QueuedFailure<Fields extends object = object> =
  | ({ status: number; retryAfterSec?: number } & Fields)
  | { delayMs: number };

/**
 * Answers the request with the next queued failure, if any: after `delayMs` with `late()` (the client has given up
 * by then), else with `failed(f, headers)`, headers holding the Retry-After asked for. Whether one was answered.
 */
export async function answerQueuedFailure<F extends { status: number; retryAfterSec?: number }>(
  failures: Array<F | { delayMs: number }>,
  answer: { late: () => void; failed: (f: F, headers: Record<string, string>) => void },
): Promise<boolean> {
  const f = failures.shift();
  if (f === undefined) return false;
  if ("delayMs" in f) {
    await sleep(f.delayMs);
    answer.late();
    return true;
  }
  const failure = f as F;
  answer.failed(
    failure,
    failure.retryAfterSec !== undefined ? { "retry-after": String(failure.retryAfterSec) } : {},
  );
  return true;
}

/** A stand-in API on its own FakeHttpServer, with the failures it is told to answer its next requests with. */
export abstract class StandInApi<F> {
  protected readonly server: FakeHttpServer;
  protected readonly failures: F[] = [];

  protected constructor(server: FakeHttpServer) {
    this.server = server;
  }

  /** Starts a server whose requests go to the stand-in `create` makes on it. */
  protected static async serve<T extends StandInApi<unknown>>(
    create: (server: FakeHttpServer) => T,
  ): Promise<T> {
    let self: T | undefined;
    const server = await FakeHttpServer.start((req, body, res) => self!.handle(req, body, res));
    self = create(server);
    return self;
  }

  protected abstract handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;

  /** Answers a coming request with `f`, after the failures queued before it. */
  fail(f: F): void {
    this.failures.push(f);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
