// Datadog sink: POST the event with DD-API-KEY. Success is 202 {"status": "ok", "event": {id, …}}. 429 (retried after
// X-RateLimit-Reset, Datadog's seconds until the limit resets, or Retry-After), 5xx, network errors and timeouts are
// transient; 400 (invalid event), 403 (bad API key) and other 4xx permanent, with Datadog's `errors`. The Events API
// has no idempotency key: a timeout after Datadog took the event can record it twice (in the same aggregation).
import { deliveryErrorForStatus, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildDatadogEvent, datadogEventsUrl } from "./datadog-request.ts";
import type { DatadogServiceConfig } from "./datadog-types.ts";
import { datadogWhere } from "./datadog-wire.ts";

export const DATADOG_TIMEOUT_MS = 15_000;

export type DatadogSinkOptions = HttpSinkOptions;

export class DatadogSink implements Sink<DatadogServiceConfig> {
  readonly type = "datadog" as const;
  readonly #opts: DatadogSinkOptions;

  constructor(opts: DatadogSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<DatadogServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = datadogWhere(service, recipient);
    const body = JSON.stringify(buildDatadogEvent(service, recipient, delivery.notification, where));
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url: datadogEventsUrl(service),
        headers: { "content-type": "application/json", "dd-api-key": service.apiKey },
        body,
        timeoutMs: this.#opts.timeoutMs ?? DATADOG_TIMEOUT_MS,
      },
      this.#opts,
    );
    let json: { status?: unknown; event?: { id?: unknown; id_str?: unknown }; errors?: unknown } = {};
    try {
      json = JSON.parse(res.text) as typeof json;
    } catch {
      // not JSON: classified by the status
    }
    if (res.statusCode === 202 || res.statusCode === 200) {
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient },
        "datadog event posted",
      );
      const id = json.event?.id_str ?? json.event?.id;
      return typeof id === "string" || typeof id === "number" ? { ref: String(id) } : {};
    }
    const detail = Array.isArray(json.errors)
      ? json.errors.filter((e) => typeof e === "string").join("; ")
      : "";
    const reset = res.headers["x-ratelimit-reset"];
    throw deliveryErrorForStatus(where, res.statusCode, {
      retryAfter: res.statusCode === 429 && reset !== undefined ? reset : res.headers["retry-after"],
      detail: snippet(detail || res.text),
    });
  }
}
