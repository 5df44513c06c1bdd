// What a Google Chat delivery sends (pure): POST the space's webhook URL (with messageReplyOption when threaded) and
// the message body {text, cards, cardsV2, thread: {threadKey}}.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { GoogleChatServiceConfig } from "./googlechat-types.ts";

export function googleChatRequest(
  service: GoogleChatServiceConfig,
  space: string,
  notification: Notification,
  where: string,
): { url: URL; body: Record<string, unknown> } {
  const webhook = Object.hasOwn(service.webhooks, space) ? service.webhooks[space] : undefined;
  if (!webhook) {
    throw new DeliveryError(`${where}: no webhooks entry for space ${JSON.stringify(space)}`, {
      transient: false,
      code: "unknown_recipient",
    });
  }
  const msg = notification.googlechat ?? (notification.message ? { text: notification.message } : {});
  const body: Record<string, unknown> = {};
  if (msg.text) body.text = msg.text;
  if (msg.cards?.length) body.cards = msg.cards;
  if (msg.cardsV2?.length) body.cardsV2 = msg.cardsV2;
  if (!body.text && !body.cards && !body.cardsV2) {
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  }
  const url = new URL(webhook);
  if (msg.threadKey) {
    body.thread = { threadKey: msg.threadKey };
    url.searchParams.set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  }
  return { url, body };
}
