// What a Telegram delivery sends (pure): the Bot API sendMessage body for one chat — used by the sink and by
// `replay --dry-run`. The reply to the revision's first message is added by the sink (it keeps the thread).
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import { parseTelegramRecipient, type TelegramChat } from "./telegram-recipient.ts";

export const DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org";

export interface TelegramSendMessage {
  chat_id: string | number;
  text: string;
  parse_mode?: string;
  message_thread_id?: number;
}

export function buildTelegramMessage(
  where: string,
  recipient: string,
  notification: Notification,
): {
  body: TelegramSendMessage;
  chat: TelegramChat;
  threadKey?: string;
} {
  const chat = parseTelegramRecipient(recipient);
  if ("problem" in chat) {
    throw new DeliveryError(`${where}: ${chat.problem}`, { transient: false, code: "invalid_recipient" });
  }
  const msg = notification.telegram ?? { text: notification.message, parseMode: "Markdown" };
  if (!msg.text.trim())
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const body: TelegramSendMessage = { chat_id: chat.chatId, text: msg.text };
  if (msg.parseMode) body.parse_mode = msg.parseMode;
  if (chat.topic !== undefined) body.message_thread_id = chat.topic;
  return msg.threadKey ? { body, chat, threadKey: msg.threadKey } : { body, chat };
}

/** The sendMessage URL (holds the token: never logged). */
export function telegramMethodUrl(apiURL: string | undefined, token: string, method: string): URL {
  return new URL(`${(apiURL || DEFAULT_TELEGRAM_API_URL).replace(/\/+$/, "")}/bot${token}/${method}`);
}
