// `replay --dry-run`/`--capture` view of an Alertmanager delivery: the targets and the alert (credentials only in the
// Authorization header, shown redacted).

import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { alertmanagerAuthHeader, alertmanagerUrls, buildAlertmanagerBody } from "./alertmanager-request.ts";
import type { AlertmanagerServiceConfig } from "./alertmanager-types.ts";

export interface AlertmanagerWirePayload {
  type: "alertmanager";
  urls: string[];
  authorization?: string;
  body: unknown[];
}

export function alertmanagerWirePayload(
  input: WirePayloadInput<AlertmanagerServiceConfig>,
): AlertmanagerWirePayload {
  const where = `alertmanager service ${JSON.stringify(input.service.name)}`;
  const out: AlertmanagerWirePayload = {
    type: "alertmanager",
    urls: alertmanagerUrls(input.service),
    body: buildAlertmanagerBody(input.notification, where),
  };
  const auth = alertmanagerAuthHeader(input.service);
  if (auth) out.authorization = `${auth.split(" ")[0]} ${REDACTED}`;
  return out;
}

export function alertmanagerCaptureLine(c: CapturedPayload<AlertmanagerWirePayload>): string {
  const a = c.payload.body[0] as { labels: Record<string, string>; endsAt?: string };
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return `alertmanager ${c.service}  ${a.endsAt ? "RESOLVE" : "FIRE"} {${labels}}`;
}
