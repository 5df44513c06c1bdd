// Telegram sink: Bot API sendMessage over a keep-alive undici Agent. The first message of a thread key is a
// top-level message (its message_id kept); later ones reply to it (reply_parameters, allow_sending_without_reply so
// a deleted root does not block). Failures: 429 (parameters.retry_after or Retry-After) and 5xx, network errors,
// timeouts are transient; 400 (chat not found, can't parse entities, …), 401, 403 (bot blocked/kicked) are
// permanent. Telegram has no idempotency key: a timeout after Telegram took the message can send it twice.

import { InMemoryRevisionStore, type RevisionStore } from "../common/revision-store.ts";
import { deliveryErrorForStatus, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildTelegramMessage, telegramMethodUrl } from "./telegram-request.ts";
import type { TelegramServiceConfig } from "./telegram-types.ts";

export const TELEGRAM_TIMEOUT_MS = 10_000;

/** Per (service, chat|topic, thread key): the message_id of the revision's first message, which later ones reply to. */
export type TelegramThreads = RevisionStore<number>;

export const TELEGRAM_THREADS = {
  type: "telegram",
  kind: "thread",
  ttlSec: 30 * 24 * 3600,
  parse: (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : undefined),
};

export interface TelegramSinkOptions extends HttpSinkOptions {
  threads?: TelegramThreads;
}

interface BotAnswer {
  ok?: boolean;
  result?: { message_id?: number };
  description?: string;
  parameters?: { retry_after?: number };
}

export class TelegramSink implements Sink<TelegramServiceConfig> {
  readonly type = "telegram" as const;
  readonly #opts: TelegramSinkOptions;
  readonly #threads: TelegramThreads;

  constructor(opts: TelegramSinkOptions) {
    this.#opts = opts;
    this.#threads = opts.threads ?? new InMemoryRevisionStore(TELEGRAM_THREADS.parse);
  }

  async deliver(delivery: Delivery<TelegramServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = `telegram service ${JSON.stringify(service.name)} chat ${JSON.stringify(recipient)}`;
    const { body, chat, threadKey } = buildTelegramMessage(where, recipient, delivery.notification);
    const rootKey = threadKey ? [service.name, `${chat.chatId}|${chat.topic ?? ""}`, threadKey] : undefined;
    const root = rootKey ? await this.#state(where, () => this.#threads.get(rootKey)) : undefined;
    const payload: Record<string, unknown> = { ...body };
    if (root !== undefined)
      payload.reply_parameters = { message_id: root, allow_sending_without_reply: true };
    const answer = await this.#send(service, delivery.tenantNamespace, where, JSON.stringify(payload));
    const messageId = answer.result?.message_id;
    if (rootKey && root === undefined && typeof messageId === "number") {
      await this.#state(where, () => this.#threads.set(rootKey, messageId));
    }
    this.#opts.logger.debug(
      { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient, messageId },
      "telegram message sent",
    );
    return { ref: String(messageId ?? "") };
  }

  async #state<T>(where: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw new DeliveryError(`${where}: thread state unavailable`, {
        transient: true,
        code: "state_unavailable",
        cause: err,
      });
    }
  }

  async #send(
    service: TelegramServiceConfig,
    tenant: string | undefined,
    where: string,
    json: string,
  ): Promise<BotAnswer> {
    const url = telegramMethodUrl(service.apiURL, service.token, "sendMessage");
    const what = `${where} (${url.origin})`;
    const timeoutMs = this.#opts.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
    const res = await sendHttpRequest(
      { tenantNamespace: tenant },
      what,
      { url, headers: { "content-type": "application/json" }, body: json, timeoutMs },
      this.#opts,
    );
    const text = res.text;
    let answer: BotAnswer = {};
    try {
      answer = JSON.parse(text) as BotAnswer;
    } catch {
      // not JSON (a proxy's error page): the status decides
    }
    if (res.statusCode === 200 && answer.ok === true) return answer;
    const detail = answer.description ?? snippet(text);
    const retryAfterSec = answer.parameters?.retry_after;
    const retryAfter = retryAfterSec !== undefined ? String(retryAfterSec) : res.headers["retry-after"];
    throw deliveryErrorForStatus(what, res.statusCode === 200 ? 502 : res.statusCode, { retryAfter, detail });
  }
}
