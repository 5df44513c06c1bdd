// What a New Relic delivery sends (pure): a deployment marker, POST <apiURL>/v2/applications/<recipient: the
// application id>/deployments.json with {"deployment": {revision, changelog, description, user}} and X-Api-Key. As
// upstream, the description defaults to the message. The REST API requires a revision of at most 127 characters.

import { truncateChars } from "../../templates/fields.ts";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { NewrelicDeployment, NewrelicServiceConfig } from "./newrelic-types.ts";

export const DEFAULT_NEWRELIC_API_URL = "https://api.newrelic.com";
export const NEWRELIC_REVISION_MAX = 127;
/** Bound on the free-text fields (the REST API keeps 64 KB per field). */
export const NEWRELIC_TEXT_MAX = 65_535;

export function newrelicRecipientProblem(recipient: string): string | undefined {
  return /^[1-9]\d{0,18}$/.test(recipient)
    ? undefined
    : "a recipient must be a New Relic application id (digits)";
}

export function newrelicMarkerUrl(service: NewrelicServiceConfig, appId: string): string {
  return `${(service.apiURL || DEFAULT_NEWRELIC_API_URL).replace(/\/+$/, "")}/v2/applications/${appId}/deployments.json`;
}

export function buildNewrelicMarker(
  recipient: string,
  notification: Notification,
  where: string,
): { deployment: NewrelicDeployment } {
  const problem = newrelicRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const part = notification.newrelic;
  const revision = part?.revision?.trim() ?? "";
  if (!revision)
    throw new DeliveryError(`${where}: a deployment marker needs a revision`, {
      transient: false,
      code: "invalid_message",
    });
  const deployment: NewrelicDeployment = { revision: truncateChars(revision, NEWRELIC_REVISION_MAX) };
  const description = part?.description || notification.message;
  if (part?.changelog) deployment.changelog = truncateChars(part.changelog, NEWRELIC_TEXT_MAX);
  if (description) deployment.description = truncateChars(description, NEWRELIC_TEXT_MAX);
  if (part?.user) deployment.user = truncateChars(part.user, NEWRELIC_TEXT_MAX);
  return { deployment };
}
