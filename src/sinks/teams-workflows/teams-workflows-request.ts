// What a Teams Workflows delivery sends (pure): the workflow URL of the channel and the body — the Adaptive Card in
// the message + attachments envelope, or the card itself with rawCardPayload.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { TeamsWorkflowsServiceConfig } from "./teams-workflows-types.ts";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Power Automate rejects request bodies above ~28 KB for Teams cards. */
export const MAX_CARD_BYTES = 28 * 1024;

export function teamsWorkflowsUrl(
  service: TeamsWorkflowsServiceConfig,
  channel: string,
  where: string,
): string {
  const url = Object.hasOwn(service.recipientUrls, channel) ? service.recipientUrls[channel] : undefined;
  if (!url) {
    throw new DeliveryError(`${where}: no recipientUrls entry for channel ${JSON.stringify(channel)}`, {
      transient: false,
      code: "unknown_recipient",
    });
  }
  return url;
}

export function buildTeamsWorkflowsBody(
  service: TeamsWorkflowsServiceConfig,
  notification: Notification,
  where: string,
): string {
  const card = notification.teamsWorkflows?.card;
  if (!card)
    throw new DeliveryError(`${where}: no card rendered`, { transient: false, code: "invalid_message" });
  const body = service.rawCardPayload
    ? card
    : {
        type: "message",
        attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
      };
  const json = JSON.stringify(body);
  if (Buffer.byteLength(json) > MAX_CARD_BYTES) {
    throw new DeliveryError(`${where}: card is ${Buffer.byteLength(json)} bytes, over ${MAX_CARD_BYTES}`, {
      transient: false,
      code: "message_too_large",
    });
  }
  return json;
}
