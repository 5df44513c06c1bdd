// What a Rocket.Chat delivery sends (pure): the chat.postMessage body. As upstream, a recipient starting with "#"
// (channel) or "@" (direct message) is a `channel`, anything else a `roomId`; alias, emoji (icon) and avatar come
// from the service. Login (POST /api/v1/login) is done by the sink.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { RocketChatServiceConfig } from "./rocketchat-types.ts";

export const DEFAULT_ROCKETCHAT_URL = "https://open.rocket.chat";
/** Rocket.Chat's default Message_MaxAllowedSize. */
export const ROCKETCHAT_MAX_TEXT = 5000;

export interface RocketChatPostMessage {
  channel?: string;
  roomId?: string;
  text: string;
  alias?: string;
  emoji?: string;
  avatar?: string;
  attachments?: unknown[];
}

export function rocketChatApi(service: RocketChatServiceConfig, method: string): string {
  return `${(service.serverUrl || DEFAULT_ROCKETCHAT_URL).replace(/\/+$/, "")}/api/v1/${method}`;
}

/** Why a recipient cannot be posted to: #channel, @user or a room id, one word. */
export function rocketChatRecipientProblem(recipient: string): string | undefined {
  if (recipient === "" || recipient === "#" || recipient === "@")
    return "a recipient must be #channel, @user or a room id";
  if (/[\s\p{Cc}]/u.test(recipient)) return "a recipient must not contain whitespace or control characters";
  if (recipient.length > 256) return "a recipient is at most 256 characters";
  return undefined;
}

export function buildRocketChatMessage(
  service: RocketChatServiceConfig,
  recipient: string,
  notification: Notification,
  where: string,
): RocketChatPostMessage {
  const problem = rocketChatRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const part = notification.rocketchat ?? { text: notification.message };
  if (!part.text.trim() && !part.attachments?.length)
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  if (Array.from(part.text).length > ROCKETCHAT_MAX_TEXT)
    throw new DeliveryError(`${where}: text is over ${ROCKETCHAT_MAX_TEXT} characters`, {
      transient: false,
      code: "message_too_large",
    });
  const msg: RocketChatPostMessage = /^[#@]/.test(recipient)
    ? { channel: recipient, text: part.text }
    : { roomId: recipient, text: part.text };
  if (service.alias) msg.alias = service.alias;
  if (service.icon) msg.emoji = service.icon;
  if (service.avatar) msg.avatar = service.avatar;
  if (part.attachments) msg.attachments = part.attachments;
  return msg;
}
