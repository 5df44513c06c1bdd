// `replay --dry-run`/`--capture` view of a New Relic delivery: the marker body (the API key is only in a header).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildNewrelicMarker, newrelicMarkerUrl } from "./newrelic-request.ts";
import type { NewrelicDeployment, NewrelicServiceConfig } from "./newrelic-types.ts";

export interface NewrelicWirePayload {
  type: "newrelic";
  api: string;
  body: { deployment: NewrelicDeployment };
}

export const newrelicWhere = (service: NewrelicServiceConfig, appId: string) =>
  `newrelic service ${JSON.stringify(service.name)} application ${JSON.stringify(appId)}`;

export function newrelicWirePayload(input: WirePayloadInput<NewrelicServiceConfig>): NewrelicWirePayload {
  const { service, destination } = input;
  const where = newrelicWhere(service, destination.recipient);
  const body = buildNewrelicMarker(destination.recipient, input.notification, where);
  return { type: "newrelic", api: newrelicMarkerUrl(service, destination.recipient), body };
}

export function newrelicCaptureLine(c: CapturedPayload<NewrelicWirePayload>): string {
  const d = c.payload.body.deployment;
  return `newrelic ${c.recipient}  [${d.revision}] ${oneLine(d.description ?? "")}`;
}
