// The AWS SDK's HTTP handler for the SQS sink: requests go through the repository's undici agents (HttpDispatchers),
// so a namespace-defined service gets the SSRF guard (checked on the address connected to) like every other sink,
// with the sink's timeout on headers, body and the whole exchange, and an answer read up to MAX_ANSWER_BYTES.
import type { Dispatcher } from "undici";
import { request } from "undici";
import { MAX_ANSWER_BYTES } from "../http/send-request.ts";

/** The parts of the SDK's HttpRequest this handler reads (@smithy/protocol-http). */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export class UndiciSdkHandler {
  readonly metadata = { handlerProtocol: "http/1.1" };
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;

  constructor(dispatcher: Dispatcher, timeoutMs: number) {
    this.#dispatcher = dispatcher;
    this.#timeoutMs = timeoutMs;
  }

  async handle(
    req: SdkHttpRequest,
    options: { abortSignal?: unknown } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {}))
      for (const one of Array.isArray(v) ? v : [v]) query.append(k, one ?? "");
    const qs = query.toString();
    const url = `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ""}${req.path}${qs ? `?${qs}` : ""}`;
    const signals = [AbortSignal.timeout(this.#timeoutMs)];
    if (options.abortSignal instanceof AbortSignal) signals.push(options.abortSignal);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.Host;
    const body = req.body;
    const res = await request(url, {
      dispatcher: this.#dispatcher,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: typeof body === "string" || body instanceof Uint8Array ? body : null,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      signal: AbortSignal.any(signals),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        res.body.destroy();
        throw Object.assign(new Error(`answer longer than ${MAX_ANSWER_BYTES} bytes`), {
          code: "answer_too_large",
        });
      }
      chunks.push(chunk);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
    return {
      response: { statusCode: res.statusCode, headers: out, body: new Uint8Array(Buffer.concat(chunks)) },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
