// Teams (Office 365 connector) sink: POST the MessageCard to the channel's incoming webhook. As upstream, success is
// HTTP 200 with the body "1"; connectors also answer 200 with an error text (e.g. "Microsoft Teams endpoint
// returned HTTP error 429 …"), classified by the status it names. 429 (Retry-After), 5xx, network errors and timeouts
// are transient; other 4xx permanent. Errors name the origin only: the URL is a credential.
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { buildTeamsBody, teamsUrl } from "./teams-request.ts";
import type { TeamsServiceConfig } from "./teams-types.ts";

export const TEAMS_TIMEOUT_MS = 15_000;

export type TeamsSinkOptions = HttpSinkOptions;

export class TeamsSink implements Sink<TeamsServiceConfig> {
  readonly type = "teams" as const;
  readonly #opts: TeamsSinkOptions;

  constructor(opts: TeamsSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<TeamsServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const channel = delivery.destination.recipient;
    const where = `teams service ${JSON.stringify(service.name)} channel ${JSON.stringify(channel)}`;
    const url = new URL(teamsUrl(service, channel, where));
    const body = buildTeamsBody(delivery.notification, where);
    const what = `${where} (${url.origin})`;
    const timeoutMs = this.#opts.timeoutMs ?? TEAMS_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      what,
      { url, headers: { "content-type": "application/json" }, body, timeoutMs },
      this.#opts,
    );
    const text = res.text.trim();
    if (res.statusCode === 200 && text === "1") {
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient: channel },
        "teams card posted",
      );
      return { ref: "1" };
    }
    // a 200 carrying an error names the status it stands for
    const named = res.statusCode === 200 ? /HTTP error (\d{3})/.exec(text)?.[1] : undefined;
    const status = named ? Number(named) : res.statusCode === 200 ? 502 : res.statusCode;
    throw deliveryErrorForAnswer(what, res, snippet(text), status);
  }
}
