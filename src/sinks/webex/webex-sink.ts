// Webex sink: POST the message to /v1/messages with the bot token as bearer. Success is 200 (as upstream checks);
// 429 (Retry-After honoured), 5xx, network errors and timeouts are transient; 400 (bad room id, text too long),
// 401 (bad token), 403, 404 (room unknown to the bot) permanent, with Webex's message and tracking id.
// Webex has no idempotency key: a timeout after Webex took the message can send it twice.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildWebexBody, webexMessagesUrl } from "./webex-request.ts";
import type { WebexServiceConfig } from "./webex-types.ts";
import { webexWhere } from "./webex-wire.ts";

export const WEBEX_TIMEOUT_MS = 15_000;

export type WebexSinkOptions = HttpSinkOptions;

export class WebexSink implements Sink<WebexServiceConfig> {
  readonly type = "webex" as const;
  readonly #opts: WebexSinkOptions;

  constructor(opts: WebexSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<WebexServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = webexWhere(service, recipient);
    const body = JSON.stringify(buildWebexBody(recipient, delivery.notification, where));
    const timeoutMs = this.#opts.timeoutMs ?? WEBEX_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url: webexMessagesUrl(service),
        headers: { "content-type": "application/json", authorization: `Bearer ${service.token}` },
        body,
        timeoutMs,
        insecureSkipVerify: service.insecureSkipVerify === true,
      },
      this.#opts,
    );
    const text = res.text;
    if (res.statusCode === 200) {
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        // the id is only for the receipt
      }
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient },
        "webex message posted",
      );
      return typeof id === "string" ? { ref: id } : {};
    }
    let detail = snippet(text);
    try {
      const e = JSON.parse(text) as { message?: unknown; trackingId?: unknown };
      if (typeof e.message === "string")
        detail = `${e.message}${typeof e.trackingId === "string" ? ` (trackingId ${e.trackingId})` : ""}`;
    } catch {
      // not JSON: the body's start
    }
    throw deliveryErrorForAnswer(where, res, detail);
  }
}
