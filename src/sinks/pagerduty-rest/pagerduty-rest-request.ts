// What a PagerDuty REST delivery sends (pure): POST <api>/incidents with the incident (service = the recipient, as
// upstream, or serviceID), `Authorization: Token token=…`, `From`. Resolving is by incident key (the sink looks the
// open incidents up and PUTs status resolved).
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { PagerDutyRestServiceConfig } from "./pagerduty-rest-types.ts";

export const DEFAULT_PAGERDUTY_REST_API = "https://api.pagerduty.com";
export const PD_ACCEPT = "application/vnd.pagerduty+json;version=2";

export const pagerDutyRestBase = (s: PagerDutyRestServiceConfig) =>
  (s.apiURL || DEFAULT_PAGERDUTY_REST_API).replace(/\/+$/, "");

export function serviceIdFor(s: PagerDutyRestServiceConfig, recipient: string): string | undefined {
  return recipient.trim() || s.serviceID || s.serviceId || undefined;
}

export function buildIncidentCreate(input: {
  service: PagerDutyRestServiceConfig;
  recipient: string;
  notification: Notification;
  where: string;
}): { url: string; body: { incident: Record<string, unknown> } } {
  const req = input.notification.pagerdutyIncident;
  if (!req)
    throw new DeliveryError(`${input.where}: the template has no pagerduty section`, {
      transient: false,
      code: "no_incident",
    });
  const serviceId = serviceIdFor(input.service, input.recipient);
  if (!serviceId)
    throw new DeliveryError(`${input.where}: no service id`, { transient: false, code: "invalid_recipient" });
  if (!req.title)
    throw new DeliveryError(`${input.where}: the incident has no title`, {
      transient: false,
      code: "invalid_incident",
    });
  const incident: Record<string, unknown> = {
    type: "incident",
    title: req.title,
    service: { id: serviceId, type: "service_reference" },
  };
  if (req.urgency) incident.urgency = req.urgency;
  if (req.body) incident.body = { type: "incident_body", details: req.body };
  if (req.priorityID) incident.priority = { id: req.priorityID, type: "priority_reference" };
  if (req.incidentKey) incident.incident_key = req.incidentKey;
  return { url: `${pagerDutyRestBase(input.service)}/incidents`, body: { incident } };
}
