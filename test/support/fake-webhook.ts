// A fake webhook receiver on a real HTTP(S) server: records method, path (with query), headers and raw body of
// every request, and can be told to answer with other statuses (with Retry-After), answer late, reset the
// connection, or be down.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { type DownMode, FakeHttpServer, sleep } from "./fakes/http-fake.ts";

export interface FakeWebhookRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body bytes as text. */
  body: string;
  rawBody: Buffer;
  /** When the request arrived (ms since the epoch): a receiver judges a signature's timestamp against this. */
  receivedAtMs: number;
  /** The status answered (undefined while pending or when the connection was reset). */
  status?: number;
}

export type FakeWebhookFailure =
  | { status: number; retryAfter?: string; body?: string }
  | { delayMs: number; status?: number }
  | { reset: true };

export class FakeWebhook {
  readonly requests: FakeWebhookRequest[] = [];
  /** Status for requests without a scripted failure. */
  status = 200;
  readonly #server: FakeHttpServer;
  readonly #failures: { failure: FakeWebhookFailure; times: number }[] = [];

  private constructor(server: FakeHttpServer) {
    this.#server = server;
  }

  static async start(opts: { tls?: { key: string; cert: string } } = {}): Promise<FakeWebhook> {
    let self: FakeWebhook | undefined;
    const server = await FakeHttpServer.start((req, body, res) => self!.#handle(req, body, res), opts);
    self = new FakeWebhook(server);
    return self;
  }

  get url(): string {
    return this.#server.url;
  }

  get port(): number {
    return this.#server.port;
  }

  fail(failure: FakeWebhookFailure, times = 1): void {
    this.#failures.push({ failure, times });
  }

  down(ms: number, mode: DownMode = "refuse"): Promise<void> {
    return this.#server.down(ms, mode);
  }

  /** Back up before the down period ends. */
  up(): Promise<void> {
    return this.#server.up();
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  async #handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const record: FakeWebhookRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: body.toString("utf8"),
      rawBody: body,
      receivedAtMs: Date.now(),
    };
    this.requests.push(record);
    let status = this.status;
    const headers: Record<string, string> = { "content-type": "text/plain" };
    let text = "ok";
    const f = this.#failures[0];
    if (f) {
      if (--f.times <= 0) this.#failures.shift();
      if ("reset" in f.failure) return void req.socket.resetAndDestroy();
      if ("delayMs" in f.failure) {
        await sleep(f.failure.delayMs);
        status = f.failure.status ?? status;
      } else {
        status = f.failure.status;
        if (f.failure.retryAfter !== undefined) headers["retry-after"] = f.failure.retryAfter;
        text = f.failure.body ?? `failing with ${status}`;
      }
    }
    if (res.destroyed) return;
    record.status = status;
    res.writeHead(status, headers);
    res.end(text);
  }
}
