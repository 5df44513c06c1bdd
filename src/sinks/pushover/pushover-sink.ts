// Pushover sink: POST the form to /1/messages.json. Success is 200 with {"status":1}; 4xx with {"status":0,
// "errors":[…]} (bad token, unknown user/group, too long) is permanent, except 429 (the application's message
// limit is used up: retried, honouring Retry-After when given). 5xx, network errors and timeouts are transient.
// Pushover has no idempotency key: a timeout after the API took the message can send it twice.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildPushoverForm, pushoverBody, pushoverMessagesUrl } from "./pushover-request.ts";
import type { PushoverServiceConfig } from "./pushover-types.ts";
import { pushoverWhere } from "./pushover-wire.ts";

export const PUSHOVER_TIMEOUT_MS = 15_000;

export type PushoverSinkOptions = HttpSinkOptions;

export class PushoverSink implements Sink<PushoverServiceConfig> {
  readonly type = "pushover" as const;
  readonly #opts: PushoverSinkOptions;

  constructor(opts: PushoverSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<PushoverServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = pushoverWhere(service, recipient);
    const form = buildPushoverForm(recipient, delivery.notification, where);
    const url = pushoverMessagesUrl(service);
    const timeoutMs = this.#opts.timeoutMs ?? PUSHOVER_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: pushoverBody(service.token, form),
        timeoutMs,
      },
      this.#opts,
    );
    const text = res.text;
    let answer: { status?: unknown; request?: unknown; errors?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // not JSON: classified by the HTTP status
    }
    if (res.statusCode === 200 && answer.status === 1) {
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient },
        "pushover message sent",
      );
      return typeof answer.request === "string" ? { ref: answer.request } : {};
    }
    const errors = Array.isArray(answer.errors) ? answer.errors.map(String).join("; ") : snippet(text);
    throw deliveryErrorForAnswer(where, res, errors, res.statusCode === 200 ? 502 : res.statusCode);
  }
}
