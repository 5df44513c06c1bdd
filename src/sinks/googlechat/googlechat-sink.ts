// Google Chat sink: POST the message to the space's incoming webhook. 200 → posted (receipt = the message name);
// 429 (RESOURCE_EXHAUSTED, Retry-After), 5xx, network errors and timeouts are transient; 400 (INVALID_ARGUMENT),
// 401/403 (key or token revoked), 404 (space gone) are permanent. Errors name the origin only: the URL's key and
// token are credentials. Webhook posts take no idempotency key: a timeout after Chat took the post can post twice.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { googleChatRequest } from "./googlechat-request.ts";
import type { GoogleChatServiceConfig } from "./googlechat-types.ts";

export const GOOGLECHAT_TIMEOUT_MS = 10_000;

export type GoogleChatSinkOptions = HttpSinkOptions;

export class GoogleChatSink implements Sink<GoogleChatServiceConfig> {
  readonly type = "googlechat" as const;
  readonly #opts: GoogleChatSinkOptions;

  constructor(opts: GoogleChatSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<GoogleChatServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const space = delivery.destination.recipient;
    const where = `googlechat service ${JSON.stringify(service.name)} space ${JSON.stringify(space)}`;
    const { url, body } = googleChatRequest(service, space, delivery.notification, where);
    const what = `${where} (${url.origin})`;
    const timeoutMs = this.#opts.timeoutMs ?? GOOGLECHAT_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      what,
      {
        url,
        headers: { "content-type": "application/json; charset=UTF-8" },
        body: JSON.stringify(body),
        timeoutMs,
      },
      this.#opts,
    );
    const text = res.text;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      let name = "";
      try {
        name = String((JSON.parse(text) as { name?: unknown }).name ?? "");
      } catch {
        // posted all the same
      }
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: service.name,
          recipient: space,
          message: name,
        },
        "googlechat message posted",
      );
      return { ref: name };
    }
    let detail = snippet(text);
    try {
      const e = (JSON.parse(text) as { error?: { status?: string; message?: string } }).error;
      if (e) detail = snippet(`${e.status ?? ""}: ${e.message ?? ""}`);
    } catch {
      // not JSON
    }
    throw deliveryErrorForAnswer(what, res, detail);
  }
}
