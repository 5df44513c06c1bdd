// Alertmanager sink: the alert is POSTed to every target (an HA cluster gossips, so any one is enough), as
// upstream: delivered when at least one accepts (the others are logged); when none does, transient if any failure
// was transient (429, 5xx, network, timeout), else permanent (400 invalid alert, 401/403). Resending an alert is
// safe: Alertmanager identifies alerts by their labels.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryError, DeliveryReceipt, Sink } from "../sink.ts";
import { alertmanagerAuthHeader, alertmanagerUrls, buildAlertmanagerBody } from "./alertmanager-request.ts";
import type { AlertmanagerServiceConfig } from "./alertmanager-types.ts";

export const ALERTMANAGER_TIMEOUT_MS = 10_000;

export type AlertmanagerSinkOptions = HttpSinkOptions;

export class AlertmanagerSink implements Sink<AlertmanagerServiceConfig> {
  readonly type = "alertmanager" as const;
  readonly #opts: AlertmanagerSinkOptions;

  constructor(opts: AlertmanagerSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<AlertmanagerServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const where = `alertmanager service ${JSON.stringify(service.name)}`;
    const body = JSON.stringify(buildAlertmanagerBody(delivery.notification, where));
    const headers: Record<string, string> = { "content-type": "application/json" };
    const auth = alertmanagerAuthHeader(service);
    if (auth) headers.authorization = auth;
    const timeoutMs = this.#opts.timeoutMs ?? ALERTMANAGER_TIMEOUT_MS;
    const results = await Promise.all(
      alertmanagerUrls(service).map(async (url): Promise<DeliveryError | undefined> => {
        const what = `${where} (${new URL(url).host})`;
        const insecureSkipVerify = service.insecureSkipVerify === true;
        const res = await sendHttpRequest(
          delivery,
          what,
          { url, headers, body, timeoutMs, insecureSkipVerify },
          this.#opts,
        ).catch((err: DeliveryError) => err);
        if (res instanceof Error) return res;
        if (res.statusCode >= 200 && res.statusCode < 300) return undefined;
        return deliveryErrorForAnswer(what, res, snippet(res.text));
      }),
    );
    const failures = results.filter((r): r is DeliveryError => r !== undefined);
    if (failures.length < results.length) {
      for (const f of failures)
        this.#opts.logger.warn({ jobId: delivery.jobId, service: service.name, code: f.code }, f.message);
      return { ref: `${results.length - failures.length}/${results.length}` };
    }
    throw failures.find((f) => f.transient) ?? failures[0]!;
  }
}
