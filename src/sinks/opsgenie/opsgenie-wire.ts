// `replay --dry-run`/`--capture` view of an Opsgenie delivery: the request (the API key is only in the header, shown
// redacted).

import { oneLine } from "../common/capture-text.ts";
import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildOpsgenieRequest, opsgenieApiKey } from "./opsgenie-request.ts";
import type { OpsgenieServiceConfig } from "./opsgenie-types.ts";

export interface OpsgenieWirePayload {
  type: "opsgenie";
  method: "POST";
  url: string;
  headers: { authorization: string };
  body: Record<string, unknown>;
  /** Extension: a close also closes the alerts created with this group. */
  alertGroup?: string;
}

export function opsgenieWirePayload(input: WirePayloadInput<OpsgenieServiceConfig>): OpsgenieWirePayload {
  const team = input.destination.recipient;
  const where = `opsgenie service ${JSON.stringify(input.service.name)} team ${JSON.stringify(team)}`;
  opsgenieApiKey(input.service, team, where);
  const req = buildOpsgenieRequest({ service: input.service, team, notification: input.notification, where });
  const out: OpsgenieWirePayload = {
    type: "opsgenie",
    method: req.method,
    url: req.url,
    headers: { authorization: `GenieKey ${REDACTED}` },
    body: req.body,
  };
  const group = input.notification.opsgenie?.alertGroup;
  if (group) out.alertGroup = group;
  return out;
}

export function opsgenieCaptureLine(c: CapturedPayload<OpsgenieWirePayload>): string {
  const b = c.payload.body;
  if (c.payload.url.includes("/close")) {
    const group = c.payload.alertGroup ? ` (and the alerts of ${c.payload.alertGroup})` : "";
    return `opsgenie ${c.recipient}  CLOSE ${decodeURIComponent(c.payload.url.split("/v2/alerts/")[1]?.split("/close")[0] ?? "")}${group}`;
  }
  return `opsgenie ${c.recipient}  CREATE ${String(b.priority ?? "P3")}: ${oneLine(String(b.message))}`;
}
