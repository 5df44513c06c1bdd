// What a Pushover delivery sends (pure): the Messages API form (https://pushover.net/api): token, user (the
// recipient: a user or group key), message (≤ 1024 characters), title (≤ 250), url (≤ 512), url_title (≤ 100),
// priority (-2 … 2; emergency needs retry and expire), sound. Limits are checked as the API (and upstream's client)
// check them, so an oversize message is a clear permanent error here, not a 400 there.

import { truncateChars } from "../../templates/fields.ts";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { PushoverServiceConfig } from "./pushover-types.ts";

export const DEFAULT_PUSHOVER_API_URL = "https://api.pushover.net";
/** Tokens and user/group keys: 30 letters and digits (upstream's client refuses anything else). */
export const PUSHOVER_KEY = /^[A-Za-z0-9]{30}$/;
export const PUSHOVER_LIMITS = { message: 1024, title: 250, url: 512, urlTitle: 100 } as const;

export interface PushoverForm {
  user: string;
  message: string;
  title?: string;
  priority?: string;
  retry?: string;
  expire?: string;
  url?: string;
  url_title?: string;
  sound?: string;
}

export function pushoverMessagesUrl(service: PushoverServiceConfig): string {
  return `${(service.apiURL || DEFAULT_PUSHOVER_API_URL).replace(/\/+$/, "")}/1/messages.json`;
}

/** The form without the token (the sink adds it; the dry run shows the rest). */
export function buildPushoverForm(
  recipient: string,
  notification: Notification,
  where: string,
): PushoverForm {
  if (!PUSHOVER_KEY.test(recipient))
    throw new DeliveryError(`${where}: not a user or group key (30 letters and digits)`, {
      transient: false,
      code: "invalid_recipient",
    });
  const msg = notification.pushover ?? { message: notification.message };
  if (!msg.message.trim())
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const form: PushoverForm = {
    user: recipient,
    message: truncateChars(msg.message, PUSHOVER_LIMITS.message),
  };
  if (msg.title) form.title = truncateChars(msg.title, PUSHOVER_LIMITS.title);
  if (msg.priority !== undefined) {
    form.priority = String(msg.priority);
    if (msg.priority === 2) {
      form.retry = "60";
      form.expire = "3600";
    }
  }
  if (msg.url) {
    if (Array.from(msg.url).length > PUSHOVER_LIMITS.url)
      throw new DeliveryError(`${where}: url is over ${PUSHOVER_LIMITS.url} characters`, {
        transient: false,
        code: "invalid_message",
      });
    form.url = msg.url;
    if (msg.urlTitle) form.url_title = truncateChars(msg.urlTitle, PUSHOVER_LIMITS.urlTitle);
  }
  if (msg.sound) form.sound = msg.sound;
  return form;
}

export function pushoverBody(token: string, form: PushoverForm): string {
  return new URLSearchParams({ token, ...form }).toString();
}
