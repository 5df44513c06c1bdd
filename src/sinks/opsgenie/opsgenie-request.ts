// What an Opsgenie delivery sends (pure): the Alert API v2 request for one team — create
// (POST /v2/alerts) or close by alias (POST /v2/alerts/<alias>/close?identifierType=alias). Used by the sink and by
// `replay --dry-run`. The API key goes in the Authorization header (GenieKey), never in the payload.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { OpsgenieServiceConfig } from "./opsgenie-types.ts";

export const DEFAULT_OPSGENIE_API = "api.opsgenie.com";
export const OPSGENIE_SOURCE = "Argo Rollouts";

export interface OpsgenieRequest {
  method: "POST";
  url: string;
  body: Record<string, unknown>;
}

/** The API base: a host ("api.eu.opsgenie.com") gets https://, a URL stays as it is. */
export function opsgenieBase(service: OpsgenieServiceConfig): string {
  const api = service.apiUrl?.trim() || DEFAULT_OPSGENIE_API;
  return (/^https?:\/\//.test(api) ? api : `https://${api}`).replace(/\/+$/, "");
}

export function opsgenieApiKey(service: OpsgenieServiceConfig, team: string, where: string): string {
  const key = Object.hasOwn(service.apiKeys, team) ? service.apiKeys[team] : undefined;
  if (!key) {
    throw new DeliveryError(`${where}: no API key configured for team ${JSON.stringify(team)}`, {
      transient: false,
      code: "unknown_recipient",
    });
  }
  return key;
}

export const closeUrl = (base: string, alias: string) =>
  `${base}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`;

export function buildOpsgenieRequest(input: {
  service: OpsgenieServiceConfig;
  team: string;
  notification: Notification;
  where: string;
}): OpsgenieRequest {
  const alert = input.notification.opsgenie;
  if (!alert) {
    throw new DeliveryError(`${input.where}: the template has no opsgenie section`, {
      transient: false,
      code: "no_opsgenie_alert",
    });
  }
  const base = opsgenieBase(input.service);
  if (alert.action === "close") {
    if (!alert.alias) {
      throw new DeliveryError(`${input.where}: closing needs an alias`, {
        transient: false,
        code: "invalid_alert",
      });
    }
    const body: Record<string, unknown> = { source: OPSGENIE_SOURCE, user: "rollouts-notifier" };
    if (alert.note) body.note = alert.note;
    return { method: "POST", url: closeUrl(base, alert.alias), body };
  }
  if (!alert.description.trim()) {
    // upstream: "Opsgenie notification description is missing"
    throw new DeliveryError(`${input.where}: the alert has no description`, {
      transient: false,
      code: "invalid_alert",
    });
  }
  const body: Record<string, unknown> = {
    message: alert.message,
    description: alert.description,
    responders: [{ type: "team", name: input.team }],
    source: OPSGENIE_SOURCE,
  };
  if (alert.alias) body.alias = alert.alias;
  if (alert.priority) body.priority = alert.priority;
  if (alert.note) body.note = alert.note;
  if (alert.tags) body.tags = alert.tags;
  return { method: "POST", url: `${base}/v2/alerts`, body };
}
