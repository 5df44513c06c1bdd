// Teams Workflows sink: POST the card to the channel's Power Automate workflow URL over a keep-alive undici Agent.
// 200/202 → accepted; 429 (Retry-After), 5xx, 408, network errors and timeouts are transient; other 4xx (400
// invalid card, 401/403 flow disabled or URL revoked, 404 flow deleted) are permanent. Errors name the origin only:
// the URL is a credential.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildTeamsWorkflowsBody, teamsWorkflowsUrl } from "./teams-workflows-request.ts";
import type { TeamsWorkflowsServiceConfig } from "./teams-workflows-types.ts";

export const TEAMS_WORKFLOWS_TIMEOUT_MS = 15_000;

export type TeamsWorkflowsSinkOptions = HttpSinkOptions;

export class TeamsWorkflowsSink implements Sink<TeamsWorkflowsServiceConfig> {
  readonly type = "teams-workflows" as const;
  readonly #opts: TeamsWorkflowsSinkOptions;

  constructor(opts: TeamsWorkflowsSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<TeamsWorkflowsServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const channel = delivery.destination.recipient;
    const where = `teams-workflows service ${JSON.stringify(service.name)} channel ${JSON.stringify(channel)}`;
    const url = new URL(teamsWorkflowsUrl(service, channel, where));
    const body = buildTeamsWorkflowsBody(service, delivery.notification, where);
    const what = `${where} (${url.origin})`;
    const timeoutMs = this.#opts.timeoutMs ?? TEAMS_WORKFLOWS_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      what,
      { url, headers: { "content-type": "application/json" }, body, timeoutMs },
      this.#opts,
    );
    if (res.statusCode >= 200 && res.statusCode < 300) {
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: service.name,
          recipient: channel,
          status: res.statusCode,
        },
        "teams-workflows card posted",
      );
      return { ref: String(res.statusCode) };
    }
    throw deliveryErrorForAnswer(what, res, describe(res.text));
  }
}

/** Power Automate's `{error: {code, message}}`; else a snippet. */
function describe(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (e) return snippet([e.code, e.message].filter((x) => typeof x === "string").join(": "));
  } catch {
    // not JSON
  }
  return snippet(text);
}
