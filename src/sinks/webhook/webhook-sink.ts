// Webhook sink: one HTTP request per delivery over keep-alive undici Agents.
// 2xx → delivered; 408/425/429/5xx, network errors, timeouts → transient (Retry-After honoured); other
// statuses (incl. redirects, which are not followed) → permanent. Deliveries from a namespace's self-service
// config (`tenantNamespace`) may not reach private/loopback/link-local/... addresses unless allowed.
import type { Logger } from "../../logger.ts";
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import type { HttpDispatchers } from "../http/http-dispatchers.ts";
import { sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildWebhookRequest } from "./webhook-request.ts";
import type { WebhookServiceConfig } from "./webhook-types.ts";

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 4096;

export interface WebhookSinkOptions {
  dispatchers: HttpDispatchers;
  logger: Logger;
  /** Let tenant (namespace self-service) webhooks reach private addresses (--allow-private-webhooks). */
  allowPrivateNetworks?: boolean;
  now?: () => number;
}

export class WebhookSink implements Sink<WebhookServiceConfig> {
  readonly type = "webhook" as const;
  readonly #opts: WebhookSinkOptions;

  constructor(opts: WebhookSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<WebhookServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const now = this.#opts.now?.() ?? Date.now();
    const req = buildWebhookRequest({
      service,
      request: delivery.notification.webhook,
      message: delivery.notification.message,
      jobId: delivery.jobId,
      nowSec: Math.floor(now / 1000),
    });
    // Only the origin: webhook paths often embed secrets (Slack/Teams/Discord incoming-webhook URLs).
    const what = `webhook ${JSON.stringify(service.name)} (${req.method} ${req.url.origin})`;
    const res = await sendHttpRequest(
      delivery,
      what,
      {
        url: req.url,
        method: req.method as "POST",
        headers: req.headers,
        body: req.body === "" ? null : req.body,
        timeoutMs: effectiveTimeout(service),
        insecureSkipVerify: service.insecureSkipVerify === true,
        // a success's body is not used, an error's only its start
        answerStartBytes: MAX_ERROR_BODY,
      },
      this.#opts,
    );
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: service.name,
          recipient: delivery.destination.recipient,
          status,
        },
        "webhook delivered",
      );
      return { ref: String(status) };
    }
    const detail = status >= 300 && status < 400 ? "redirect not followed" : snippet(res.text);
    throw deliveryErrorForAnswer(what, res, detail);
  }
}

function effectiveTimeout(service: WebhookServiceConfig): number {
  const t = service.timeoutMs;
  return typeof t === "number" && Number.isFinite(t) && t > 0 ? t : DEFAULT_WEBHOOK_TIMEOUT_MS;
}
