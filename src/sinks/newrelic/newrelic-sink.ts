// New Relic sink: POST the deployment marker with X-Api-Key. Success is 201 (200 accepted too); 429 (Retry-After
// honoured), 5xx, network errors and timeouts are transient; 401 (bad key), 403, 404 (unknown application) and 422
// (invalid marker) permanent, with New Relic's error title. (Upstream ignores the answer's status.) The REST API has
// no idempotency key: a timeout after New Relic took the marker can record it twice.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildNewrelicMarker, newrelicMarkerUrl } from "./newrelic-request.ts";
import type { NewrelicServiceConfig } from "./newrelic-types.ts";
import { newrelicWhere } from "./newrelic-wire.ts";

export const NEWRELIC_TIMEOUT_MS = 15_000;

export type NewrelicSinkOptions = HttpSinkOptions;

export class NewrelicSink implements Sink<NewrelicServiceConfig> {
  readonly type = "newrelic" as const;
  readonly #opts: NewrelicSinkOptions;

  constructor(opts: NewrelicSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<NewrelicServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const appId = delivery.destination.recipient;
    const where = newrelicWhere(service, appId);
    const body = JSON.stringify(buildNewrelicMarker(appId, delivery.notification, where));
    const timeoutMs = this.#opts.timeoutMs ?? NEWRELIC_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url: newrelicMarkerUrl(service, appId),
        headers: { "content-type": "application/json", "x-api-key": service.apiKey },
        body,
        timeoutMs,
      },
      this.#opts,
    );
    const text = res.text;
    let json: { deployment?: { id?: unknown }; error?: { title?: unknown } } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // not JSON: classified by the status
    }
    if (res.statusCode === 201 || res.statusCode === 200) {
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient: appId },
        "newrelic deployment marker recorded",
      );
      const id = json.deployment?.id;
      return id !== undefined ? { ref: String(id) } : {};
    }
    const detail = typeof json.error?.title === "string" ? json.error.title : snippet(text);
    throw deliveryErrorForAnswer(where, res, detail);
  }
}
