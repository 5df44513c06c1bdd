// What a Teams delivery sends (pure): the channel's incoming-webhook URL and the MessageCard JSON.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { TeamsServiceConfig } from "./teams-types.ts";

/** Office 365 connectors reject cards above 28 KB. */
export const MAX_TEAMS_CARD_BYTES = 28 * 1024;

export function teamsUrl(service: TeamsServiceConfig, channel: string, where: string): string {
  const url = Object.hasOwn(service.recipientUrls, channel) ? service.recipientUrls[channel] : undefined;
  if (!url) {
    throw new DeliveryError(`${where}: no recipientUrls entry for channel ${JSON.stringify(channel)}`, {
      transient: false,
      code: "unknown_recipient",
    });
  }
  return url;
}

export function buildTeamsBody(notification: Notification, where: string): string {
  const card = notification.teams?.card;
  if (!card)
    throw new DeliveryError(`${where}: no card rendered`, { transient: false, code: "invalid_message" });
  const json = JSON.stringify(card);
  if (Buffer.byteLength(json) > MAX_TEAMS_CARD_BYTES) {
    throw new DeliveryError(
      `${where}: card is ${Buffer.byteLength(json)} bytes, over ${MAX_TEAMS_CARD_BYTES}`,
      {
        transient: false,
        code: "message_too_large",
      },
    );
  }
  return json;
}
