// What a Webex delivery sends (pure): POST <apiURL>/v1/messages with {toPersonEmail | roomId, markdown}. As upstream,
// a recipient that looks like an email address (\S+@\S+\.\S+) is a person, anything else a room id. Webex takes at
// most 7439 bytes of message text.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { WebexServiceConfig } from "./webex-types.ts";

export const DEFAULT_WEBEX_API_URL = "https://webexapis.com";
export const WEBEX_MAX_TEXT_BYTES = 7439;
const EMAIL = /^\S+@\S+\.\S+$/;

export interface WebexBody {
  toPersonEmail?: string;
  roomId?: string;
  markdown: string;
}

export function webexMessagesUrl(service: WebexServiceConfig): string {
  return `${(service.apiURL || DEFAULT_WEBEX_API_URL).replace(/\/+$/, "")}/v1/messages`;
}

/** Why Webex cannot take `recipient` (an email address or a room id: one word, no control characters). */
export function webexRecipientProblem(recipient: string): string | undefined {
  if (recipient === "") return "a recipient must be a person's email address or a room id";
  if (/[\s\p{Cc}]/u.test(recipient)) return "a recipient must not contain whitespace or control characters";
  if (recipient.length > 1024) return "a recipient is at most 1024 characters";
  return undefined;
}

export function buildWebexBody(recipient: string, notification: Notification, where: string): WebexBody {
  const problem = webexRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const markdown = notification.webex?.markdown ?? notification.message;
  if (!markdown.trim())
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const bytes = Buffer.byteLength(markdown);
  if (bytes > WEBEX_MAX_TEXT_BYTES)
    throw new DeliveryError(`${where}: message is ${bytes} bytes, over ${WEBEX_MAX_TEXT_BYTES}`, {
      transient: false,
      code: "message_too_large",
    });
  return EMAIL.test(recipient) ? { toPersonEmail: recipient, markdown } : { roomId: recipient, markdown };
}
