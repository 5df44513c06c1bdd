// Opsgenie sink: Alert API v2 over a keep-alive undici Agent, `Authorization: GenieKey <team's key>`. 202 →
// accepted (the API processes asynchronously; receipt = requestId). 429, 5xx, network errors and timeouts are
// transient; 400/401/403/404/422 are permanent. Retries are safe: a create with the same alias de-duplicates into
// the open alert (its count goes up), closing a closed alert is a no-op.
// Alert groups (OpsgenieAlert.alertGroup), as PagerDuty's incident groups: a create records its alias (per API key,
// hashed) before it is sent; a close closes its own alias, then every recorded alias of the group, forgetting each
// once accepted, so the completion of revision 3 closes the alert revision 2's abort opened.
import { deliveryErrorForAnswer, messageOf, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { InMemoryPagerDutyIncidents, type PagerDutyIncidentStore } from "../pagerduty/pagerduty-incidents.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import {
  buildOpsgenieRequest,
  closeUrl,
  OPSGENIE_SOURCE,
  opsgenieApiKey,
  opsgenieBase,
} from "./opsgenie-request.ts";
import type { OpsgenieServiceConfig } from "./opsgenie-types.ts";

export const OPSGENIE_TIMEOUT_MS = 10_000;

export interface OpsgenieSinkOptions extends HttpSinkOptions {
  /** Open aliases per (API key, alert group): the same store shape as PagerDuty's incident groups. */
  groups?: PagerDutyIncidentStore;
}

export class OpsgenieSink implements Sink<OpsgenieServiceConfig> {
  readonly type = "opsgenie" as const;
  readonly #opts: OpsgenieSinkOptions;
  readonly #groups: PagerDutyIncidentStore;

  constructor(opts: OpsgenieSinkOptions) {
    this.#opts = opts;
    this.#groups = opts.groups ?? new InMemoryPagerDutyIncidents();
  }

  async deliver(delivery: Delivery<OpsgenieServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const team = delivery.destination.recipient;
    const where = `opsgenie service ${JSON.stringify(service.name)} team ${JSON.stringify(team)}`;
    const key = opsgenieApiKey(service, team, where);
    const req = buildOpsgenieRequest({ service, team, notification: delivery.notification, where });
    const alert = delivery.notification.opsgenie!;
    const group = alert.alertGroup;
    if (group && alert.action === "create" && alert.alias) {
      await this.#store(where, () => this.#groups.addOpen(key, group, alert.alias!));
    }
    const ref = await this.#send(delivery, where, key, req.url, req.body);
    if (group && alert.action === "close" && alert.alias) {
      await this.#store(where, () => this.#groups.removeOpen(key, group, alert.alias!));
      const open = await this.#store(where, () => this.#groups.listOpen(key, group));
      for (const alias of open.sort()) {
        await this.#send(
          delivery,
          `${where} (closing ${JSON.stringify(alias)} of group ${JSON.stringify(group)})`,
          key,
          closeUrl(opsgenieBase(service), alias),
          {
            source: OPSGENIE_SOURCE,
            user: "rollouts-notifier",
          },
        );
        await this.#store(where, () => this.#groups.removeOpen(key, group, alias));
      }
    }
    return { ref };
  }

  async #store<T>(where: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new DeliveryError(`${where}: alert group state unavailable: ${messageOf(err)}`, {
        transient: true,
        code: "state_unavailable",
        cause: err,
      });
    }
  }

  async #send(
    delivery: Delivery<OpsgenieServiceConfig>,
    where: string,
    key: string,
    url: string,
    body: Record<string, unknown>,
  ): Promise<string> {
    const timeoutMs = this.#opts.timeoutMs ?? OPSGENIE_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url,
        headers: { "content-type": "application/json", authorization: `GenieKey ${key}` },
        body: JSON.stringify(body),
        timeoutMs,
      },
      this.#opts,
    );
    const text = res.text;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      let requestId = "";
      try {
        requestId = String((JSON.parse(text) as { requestId?: unknown }).requestId ?? "");
      } catch {
        // no JSON: accepted all the same
      }
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: delivery.service.name,
          recipient: delivery.destination.recipient,
          requestId,
        },
        "opsgenie request accepted",
      );
      return requestId;
    }
    throw deliveryErrorForAnswer(where, res, describe(text).replaceAll(key, "[redacted]"));
  }
}

/** `{message, errors:{field: text}}` → "message: field text"; else a snippet. */
function describe(text: string): string {
  try {
    const p = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors =
      p.errors && typeof p.errors === "object"
        ? Object.entries(p.errors)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join("; ")
        : "";
    const joined = [typeof p.message === "string" ? p.message : "", errors].filter(Boolean).join(": ");
    if (joined) return snippet(joined);
  } catch {
    // not JSON
  }
  return snippet(text);
}
