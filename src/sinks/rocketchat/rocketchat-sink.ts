// Rocket.Chat sink, as upstream's client does it: log in (POST /api/v1/login, form user/password → authToken and
// userId), then POST /api/v1/chat.postMessage with X-Auth-Token/X-User-Id. Success is {"success": true}. A failed
// login (401) and 4xx answers to the post (unknown room, not allowed) are permanent; 429 (Retry-After honoured),
// 5xx, network errors and timeouts transient. Rocket.Chat has no idempotency key: a timeout after the server took
// the message can post it twice.
import { deliveryErrorForStatus, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryError, DeliveryReceipt, Sink } from "../sink.ts";
import { buildRocketChatMessage, rocketChatApi } from "./rocketchat-request.ts";
import type { RocketChatServiceConfig } from "./rocketchat-types.ts";
import { rocketChatWhere } from "./rocketchat-wire.ts";

export const ROCKETCHAT_TIMEOUT_MS = 15_000;

export type RocketChatSinkOptions = HttpSinkOptions;

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
  retryAfter: string | string[] | undefined;
}

export class RocketChatSink implements Sink<RocketChatServiceConfig> {
  readonly type = "rocketchat" as const;
  readonly #opts: RocketChatSinkOptions;

  constructor(opts: RocketChatSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<RocketChatServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = rocketChatWhere(service, recipient);
    const message = buildRocketChatMessage(service, recipient, delivery.notification, where);
    const login = await this.#call(delivery, where, "login", {
      "content-type": "application/x-www-form-urlencoded",
      body: new URLSearchParams({ user: service.email, password: service.password }).toString(),
    });
    const data = login.json.data as { authToken?: unknown; userId?: unknown } | undefined;
    if (login.status !== 200 || login.json.status !== "success" || typeof data?.authToken !== "string") {
      throw failure(`${where}: login`, login);
    }
    const post = await this.#call(delivery, where, "chat.postMessage", {
      "content-type": "application/json",
      body: JSON.stringify(message),
      "x-auth-token": data.authToken,
      "x-user-id": String(data.userId ?? ""),
    });
    if (post.status === 200 && post.json.success === true) {
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient },
        "rocketchat message posted",
      );
      const id = (post.json.message as { _id?: unknown } | undefined)?._id;
      return typeof id === "string" ? { ref: id } : {};
    }
    throw failure(`${where}: chat.postMessage`, post);
  }

  async #call(
    delivery: Delivery<RocketChatServiceConfig>,
    where: string,
    method: string,
    opts: { body: string; [header: string]: string },
  ): Promise<Answer> {
    const { body, ...headers } = opts;
    const timeoutMs = this.#opts.timeoutMs ?? ROCKETCHAT_TIMEOUT_MS;
    const res = await sendHttpRequest(
      delivery,
      where,
      { url: rocketChatApi(delivery.service, method), headers, body, timeoutMs },
      this.#opts,
    );
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      // not JSON: classified by the status
    }
    return { status: res.statusCode, json, text: res.text, retryAfter: res.headers["retry-after"] };
  }
}

function failure(what: string, a: Answer): DeliveryError {
  const detail =
    typeof a.json.error === "string"
      ? a.json.error
      : typeof a.json.message === "string"
        ? a.json.message
        : snippet(a.text);
  return deliveryErrorForStatus(what, a.status === 200 ? 502 : a.status, {
    retryAfter: a.retryAfter,
    detail,
  });
}
