// `replay --dry-run`/`--capture` view of a Telegram delivery: the sendMessage body (the token is in the URL only,
// which is shown without it) and the thread key the sink replies within.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import {
  buildTelegramMessage,
  DEFAULT_TELEGRAM_API_URL,
  type TelegramSendMessage,
} from "./telegram-request.ts";
import type { TelegramServiceConfig } from "./telegram-types.ts";

export interface TelegramWirePayload {
  type: "telegram";
  method: "sendMessage";
  api: string;
  body: TelegramSendMessage;
  threadKey?: string;
}

export function telegramWirePayload(input: WirePayloadInput<TelegramServiceConfig>): TelegramWirePayload {
  const where = `telegram service ${JSON.stringify(input.service.name)} chat ${JSON.stringify(input.destination.recipient)}`;
  const { body, threadKey } = buildTelegramMessage(where, input.destination.recipient, input.notification);
  const out: TelegramWirePayload = {
    type: "telegram",
    method: "sendMessage",
    api: input.service.apiURL || DEFAULT_TELEGRAM_API_URL,
    body,
  };
  if (threadKey) out.threadKey = threadKey;
  return out;
}

export function telegramCaptureLine(c: CapturedPayload<TelegramWirePayload>): string {
  const thread = c.payload.threadKey ? `[thread ${c.payload.threadKey}] ` : "";
  return `telegram ${c.recipient}  ${thread}${oneLine(c.payload.body.text)}`;
}
