// PagerDuty Events API v2 sink: POST <apiURL>/v2/enqueue over a keep-alive undici Agent.
// 202 → delivered (receipt ref = dedup_key); 400 → permanent; 429/5xx/network/timeout → transient.
// Retries are safe: every event carries a dedup_key (the template's, or the job id), so a repeated trigger
// lands on the same alert and a repeated resolve is a no-op.
//
// Incident groups (PagerDutyEvent.incidentGroup): a trigger records its dedup key in the group (per routing key)
// *before* it is sent, so whatever PagerDuty may have accepted is recorded; a resolve resolves its own key, then
// every recorded key of the group, forgetting each only after PagerDuty accepted its resolve. A failed or killed
// attempt leaves the rest recorded and the queue's retry resolves them (resolving twice is a no-op at PagerDuty).
import { deliveryErrorForAnswer, messageOf, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildPagerDutyEventBody, MAX_EVENT_BYTES, type PagerDutyEventBody } from "./pagerduty-event.ts";
import { InMemoryPagerDutyIncidents, type PagerDutyIncidentStore } from "./pagerduty-incidents.ts";
import type { PagerDutyServiceConfig } from "./pagerduty-types.ts";

export const DEFAULT_PAGERDUTY_API_URL = "https://events.pagerduty.com";
export const PAGERDUTY_TIMEOUT_MS = 10_000;

export interface PagerDutySinkOptions extends HttpSinkOptions {
  /** Open alerts per incident group (Redis in production); process-local when absent. */
  incidents?: PagerDutyIncidentStore;
}

interface SendContext {
  url: URL;
  where: string;
  routingKey: string;
  delivery: Delivery<PagerDutyServiceConfig>;
}

export class PagerDutySink implements Sink<PagerDutyServiceConfig> {
  readonly type = "pagerdutyv2" as const;
  readonly #opts: PagerDutySinkOptions;
  readonly #incidents: PagerDutyIncidentStore;

  constructor(opts: PagerDutySinkOptions) {
    this.#opts = opts;
    this.#incidents = opts.incidents ?? new InMemoryPagerDutyIncidents();
  }

  async deliver(delivery: Delivery<PagerDutyServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = `pagerdutyv2 service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;
    const routingKey = Object.hasOwn(service.serviceKeys, recipient)
      ? service.serviceKeys[recipient]
      : undefined;
    if (!routingKey) {
      const known = Object.keys(service.serviceKeys).sort();
      throw new DeliveryError(
        `${where}: no routing key configured for recipient ${JSON.stringify(recipient)} (serviceKeys has ${
          known.length ? known.map((k) => JSON.stringify(k)).join(", ") : "no entries"
        })`,
        { transient: false, code: "unknown_recipient" },
      );
    }
    const event = delivery.notification.pagerduty;
    if (!event) {
      throw new DeliveryError(`${where}: the template has no pagerdutyv2 section`, {
        transient: false,
        code: "no_pagerduty_event",
      });
    }
    const now = this.#opts.now?.() ?? Date.now();
    const body = buildPagerDutyEventBody({
      event,
      routingKey,
      jobId: delivery.jobId,
      where,
      timestamp: new Date(now).toISOString(),
    });
    const json = JSON.stringify(body);
    if (Buffer.byteLength(json) > MAX_EVENT_BYTES) {
      throw new DeliveryError(
        `${where}: event is ${Buffer.byteLength(json)} bytes, over PagerDuty's 512 KB limit`,
        {
          transient: false,
          code: "event_too_large",
        },
      );
    }
    const send: SendContext = {
      url: new URL("/v2/enqueue", service.apiURL || DEFAULT_PAGERDUTY_API_URL),
      where,
      routingKey,
      delivery,
    };
    const group = event.incidentGroup?.trim();
    if (group && body.event_action === "trigger") {
      await this.#store(where, "record", () => this.#incidents.addOpen(routingKey, group, body.dedup_key));
    }
    const ref = await this.#send(send, json, body);
    if (group && body.event_action === "resolve") await this.#resolveGroup(send, group, body.dedup_key);
    return { ref };
  }

  /** Resolves every recorded alert of the group (ours is resolved already), forgetting each once accepted. */
  async #resolveGroup(send: SendContext, group: string, resolved: string): Promise<void> {
    const { routingKey, where } = send;
    await this.#store(where, "update", () => this.#incidents.removeOpen(routingKey, group, resolved));
    const open = await this.#store(where, "read", () => this.#incidents.listOpen(routingKey, group));
    for (const dedupKey of open.sort()) {
      const body: PagerDutyEventBody = {
        routing_key: routingKey,
        event_action: "resolve",
        dedup_key: dedupKey,
      };
      await this.#send(
        {
          ...send,
          where: `${where} (resolving ${JSON.stringify(dedupKey)} of incident group ${JSON.stringify(group)})`,
        },
        JSON.stringify(body),
        body,
      );
      await this.#store(where, "update", () => this.#incidents.removeOpen(routingKey, group, dedupKey));
    }
    if (open.length) {
      this.#opts.logger.info(
        {
          jobId: send.delivery.jobId,
          ...(send.delivery.about ?? {}),
          service: send.delivery.service.name,
          recipient: send.delivery.destination.recipient,
          group,
          resolved: open,
        },
        "pagerduty: resolved the incident group's open alerts",
      );
    }
  }

  /** Incident-group bookkeeping failures (Redis down) are transient: the retry redoes the whole delivery. */
  async #store<T>(where: string, what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new DeliveryError(
        `${where}: cannot ${what} the incident group's open alerts: ${messageOf(err)}`,
        {
          transient: true,
          code: "state_unavailable",
          cause: err,
        },
      );
    }
  }

  /** POSTs one event; resolves with the accepted dedup key or throws a DeliveryError. */
  async #send(ctx: SendContext, json: string, body: PagerDutyEventBody): Promise<string> {
    const { delivery, where, routingKey } = ctx;
    const timeoutMs = this.#opts.timeoutMs ?? PAGERDUTY_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      { url: ctx.url, headers: { "content-type": "application/json" }, body: json, timeoutMs },
      this.#opts,
    );
    const text = res.text;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const dedupKey = parseDedupKey(text) ?? body.dedup_key;
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: delivery.service.name,
          recipient: delivery.destination.recipient,
          action: body.event_action,
          dedupKey,
        },
        "pagerduty event accepted",
      );
      return dedupKey;
    }
    throw deliveryErrorForAnswer(where, res, describeErrorBody(text).replaceAll(routingKey, "[redacted]"));
  }
}

function parseDedupKey(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { dedup_key?: unknown };
    return typeof parsed.dedup_key === "string" ? parsed.dedup_key : undefined;
  } catch {
    return undefined;
  }
}

/** `{status, message, errors[]}` → "message: error; error"; anything else → a short snippet. */
function describeErrorBody(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.map(String).join("; ") : "";
    const message = typeof parsed.message === "string" ? parsed.message : "";
    const joined = [message, errors].filter(Boolean).join(": ");
    if (joined) return snippet(joined);
  } catch {
    // not JSON
  }
  return snippet(text);
}
