// `replay --dry-run`/`--capture` view of a PagerDuty Events v2 delivery: the enqueue URL and the event body the sink
// would send (built by the sink's own buildPagerDutyEventBody), with the routing key redacted.

import { oneLine } from "../common/capture-text.ts";
import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { DeliveryError } from "../sink.ts";
import { buildPagerDutyEventBody, type PagerDutyEventBody } from "./pagerduty-event.ts";
import { DEFAULT_PAGERDUTY_API_URL } from "./pagerduty-sink.ts";
import type { PagerDutyServiceConfig } from "./pagerduty-types.ts";

export interface PagerDutyWirePayload {
  type: "pagerdutyv2";
  url: string;
  event: PagerDutyEventBody;
  /** Extension: a resolve also resolves the alerts this group triggered. */
  incidentGroup?: string;
}

export function pagerDutyWirePayload(input: WirePayloadInput<PagerDutyServiceConfig>): PagerDutyWirePayload {
  const { service, destination, notification } = input;
  const recipient = destination.recipient;
  const where = `pagerdutyv2 service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;
  const routingKey = Object.hasOwn(service.serviceKeys, recipient)
    ? service.serviceKeys[recipient]
    : undefined;
  if (!routingKey) {
    throw new DeliveryError(
      `${where}: no routing key configured for recipient ${JSON.stringify(recipient)}`,
      {
        transient: false,
        code: "unknown_recipient",
      },
    );
  }
  const event = notification.pagerduty;
  if (!event) {
    throw new DeliveryError(`${where}: the template has no pagerdutyv2 section`, {
      transient: false,
      code: "no_pagerduty_event",
    });
  }
  const body = buildPagerDutyEventBody({
    event,
    routingKey,
    jobId: input.jobId,
    where,
    timestamp: input.now.toISOString(),
  });
  const out: PagerDutyWirePayload = {
    type: "pagerdutyv2",
    url: new URL("/v2/enqueue", service.apiURL || DEFAULT_PAGERDUTY_API_URL).toString(),
    event: { ...body, routing_key: REDACTED },
  };
  if (event.incidentGroup) out.incidentGroup = event.incidentGroup;
  return out;
}

/** e.g. `pagerduty platform-oncall  TRIGGER error: [demo/canary-demo] revision 2: …` */
export function pagerDutyCaptureLine(c: CapturedPayload<PagerDutyWirePayload>): string {
  const p = c.payload;
  const e = p.event;
  const what = e.payload
    ? `${e.payload.severity}: ${oneLine(e.payload.summary)}`
    : `dedup_key ${e.dedup_key}`;
  const group =
    e.event_action === "resolve" && p.incidentGroup ? ` (and the alerts of ${p.incidentGroup})` : "";
  return `pagerduty ${c.recipient}  ${e.event_action.toUpperCase()} ${what}${group}`;
}
