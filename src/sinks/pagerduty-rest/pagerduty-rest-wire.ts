// `replay --dry-run`/`--capture` view of a PagerDuty REST delivery: the incident POST (token and From only in
// headers, not shown), or the resolve by incident key.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { DeliveryError } from "../sink.ts";
import { buildIncidentCreate } from "./pagerduty-rest-request.ts";
import type { PagerDutyRestServiceConfig } from "./pagerduty-rest-types.ts";

export type PagerDutyRestWirePayload =
  | {
      type: "pagerduty";
      action: "trigger";
      method: "POST";
      url: string;
      body: { incident: Record<string, unknown> };
      incidentGroup?: string;
    }
  | { type: "pagerduty"; action: "resolve"; incidentKey: string; incidentGroup?: string };

export function pagerDutyRestWirePayload(
  input: WirePayloadInput<PagerDutyRestServiceConfig>,
): PagerDutyRestWirePayload {
  const where = `pagerduty service ${JSON.stringify(input.service.name)} recipient ${JSON.stringify(input.destination.recipient)}`;
  const req = input.notification.pagerdutyIncident;
  if (req?.action === "resolve") {
    if (!req.incidentKey)
      throw new DeliveryError(`${where}: resolving needs an incidentKey`, {
        transient: false,
        code: "invalid_incident",
      });
    return {
      type: "pagerduty",
      action: "resolve",
      incidentKey: req.incidentKey,
      ...(req.incidentGroup ? { incidentGroup: req.incidentGroup } : {}),
    };
  }
  const create = buildIncidentCreate({
    service: input.service,
    recipient: input.destination.recipient,
    notification: input.notification,
    where,
  });
  return {
    type: "pagerduty",
    action: "trigger",
    method: "POST",
    url: create.url,
    body: create.body,
    ...(req?.incidentGroup ? { incidentGroup: req.incidentGroup } : {}),
  };
}

export function pagerDutyRestCaptureLine(c: CapturedPayload<PagerDutyRestWirePayload>): string {
  const p = c.payload;
  if (p.action === "resolve") {
    return `pagerduty-incident ${c.recipient}  RESOLVE ${p.incidentKey}${p.incidentGroup ? ` (and the incidents of ${p.incidentGroup})` : ""}`;
  }
  return `pagerduty-incident ${c.recipient}  TRIGGER ${String(p.body.incident.urgency ?? "high")}: ${oneLine(String(p.body.incident.title))}`;
}
