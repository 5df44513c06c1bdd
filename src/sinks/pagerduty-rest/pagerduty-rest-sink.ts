// PagerDuty REST sink: incidents through the REST API v2 (`Authorization: Token token=…`, `From: <user email>`).
// A trigger records its incident key in the Rollout's group (before sending, as the Events v2 sink does), then
// POSTs /incidents; PagerDuty refusing a second open incident with the same key means a retry already created it
// (success). A resolve looks up the open incidents of its own key, then of every recorded key of the group
// (GET /incidents?incident_key=…), PUTs each to resolved and forgets the key once done. 429 (Retry-After), 5xx,
// network errors and timeouts are transient; 400/401/403/404 permanent.
import { deliveryErrorForStatus, messageOf, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { InMemoryPagerDutyIncidents, type PagerDutyIncidentStore } from "../pagerduty/pagerduty-incidents.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildIncidentCreate, PD_ACCEPT, pagerDutyRestBase, serviceIdFor } from "./pagerduty-rest-request.ts";
import type { PagerDutyRestServiceConfig } from "./pagerduty-rest-types.ts";

export const PAGERDUTY_REST_TIMEOUT_MS = 10_000;

export interface PagerDutyRestSinkOptions extends HttpSinkOptions {
  groups?: PagerDutyIncidentStore;
}

type D = Delivery<PagerDutyRestServiceConfig>;

export class PagerDutyRestSink implements Sink<PagerDutyRestServiceConfig> {
  readonly type = "pagerduty" as const;
  readonly #opts: PagerDutyRestSinkOptions;
  readonly #groups: PagerDutyIncidentStore;

  constructor(opts: PagerDutyRestSinkOptions) {
    this.#opts = opts;
    this.#groups = opts.groups ?? new InMemoryPagerDutyIncidents();
  }

  async deliver(delivery: D): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = `pagerduty service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;
    const req = delivery.notification.pagerdutyIncident;
    const groupKey = `${service.name}/${serviceIdFor(service, recipient) ?? ""}/${service.token}`;
    if (req?.action === "resolve") {
      if (!req.incidentKey)
        throw new DeliveryError(`${where}: resolving needs an incidentKey`, {
          transient: false,
          code: "invalid_incident",
        });
      const keys = [req.incidentKey];
      if (req.incidentGroup) {
        const group = req.incidentGroup;
        await this.#store(where, () => this.#groups.removeOpen(groupKey, group, req.incidentKey!));
        keys.push(...(await this.#store(where, () => this.#groups.listOpen(groupKey, group))).sort());
      }
      let resolved = 0;
      for (const key of keys) {
        resolved += await this.#resolveKey(delivery, where, key);
        if (req.incidentGroup)
          await this.#store(where, () => this.#groups.removeOpen(groupKey, req.incidentGroup!, key));
      }
      return { ref: `resolved ${resolved}` };
    }
    const create = buildIncidentCreate({ service, recipient, notification: delivery.notification, where });
    if (req?.incidentGroup && req.incidentKey) {
      await this.#store(where, () => this.#groups.addOpen(groupKey, req.incidentGroup!, req.incidentKey!));
    }
    const res = await this.#call(delivery, where, "POST", create.url, create.body);
    if (res.status === 400 && /matching dedup key already exists/i.test(res.text))
      return { ref: req?.incidentKey ?? "" };
    this.#check(where, res);
    let id = "";
    try {
      id = String((JSON.parse(res.text) as { incident?: { id?: unknown } }).incident?.id ?? "");
    } catch {
      // created all the same
    }
    return { ref: id };
  }

  async #resolveKey(delivery: D, where: string, key: string): Promise<number> {
    const base = pagerDutyRestBase(delivery.service);
    const q = new URLSearchParams({ incident_key: key });
    q.append("statuses[]", "triggered");
    q.append("statuses[]", "acknowledged");
    const found = await this.#call(delivery, where, "GET", `${base}/incidents?${q}`);
    this.#check(where, found);
    const incidents = ((JSON.parse(found.text) as { incidents?: { id: string }[] }).incidents ?? []).map(
      (i) => i.id,
    );
    for (const id of incidents) {
      const put = await this.#call(delivery, where, "PUT", `${base}/incidents/${encodeURIComponent(id)}`, {
        incident: { type: "incident_reference", status: "resolved" },
      });
      this.#check(where, put);
    }
    return incidents.length;
  }

  #check(
    where: string,
    res: { status: number; text: string; retryAfter: string | string[] | undefined },
  ): void {
    if (res.status >= 200 && res.status < 300) return;
    throw deliveryErrorForStatus(where, res.status, {
      retryAfter: res.retryAfter,
      detail: describe(res.text),
    });
  }

  async #store<T>(where: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new DeliveryError(`${where}: incident group state unavailable: ${messageOf(err)}`, {
        transient: true,
        code: "state_unavailable",
        cause: err,
      });
    }
  }

  async #call(
    delivery: D,
    where: string,
    method: "GET" | "POST" | "PUT",
    url: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; retryAfter: string | string[] | undefined }> {
    const service = delivery.service;
    const timeoutMs = this.#opts.timeoutMs ?? PAGERDUTY_REST_TIMEOUT_MS;
    const headers: Record<string, string> = {
      accept: PD_ACCEPT,
      authorization: `Token token=${service.token}`,
    };
    if (service.from) headers.from = service.from;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await sendHttpRequest(
      delivery,
      where,
      { url, method, headers, body: body === undefined ? null : JSON.stringify(body), timeoutMs },
      this.#opts,
    );
    return { status: res.statusCode, text: res.text, retryAfter: res.headers["retry-after"] };
  }
}

/** `{error: {message, code, errors[]}}` → "message: errors"; else a snippet. */
function describe(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { message?: unknown; errors?: unknown } }).error;
    if (e)
      return snippet(
        [e.message, Array.isArray(e.errors) ? e.errors.join("; ") : ""].filter(Boolean).join(": "),
      );
  } catch {
    // not JSON
  }
  return snippet(text);
}
