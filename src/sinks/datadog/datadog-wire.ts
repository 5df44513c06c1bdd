// `replay --dry-run`/`--capture` view of a Datadog delivery: the event body (the API key is only in a header).
import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildDatadogEvent, type DatadogEventBody, datadogEventsUrl } from "./datadog-request.ts";
import type { DatadogServiceConfig } from "./datadog-types.ts";

export interface DatadogWirePayload {
  type: "datadog";
  api: string;
  body: DatadogEventBody;
}

export const datadogWhere = (service: DatadogServiceConfig, recipient: string) =>
  `datadog service ${JSON.stringify(service.name)}${recipient ? ` tag ${JSON.stringify(recipient)}` : ""}`;

export function datadogWirePayload(input: WirePayloadInput<DatadogServiceConfig>): DatadogWirePayload {
  const { service, destination } = input;
  const where = datadogWhere(service, destination.recipient);
  return {
    type: "datadog",
    api: datadogEventsUrl(service),
    body: buildDatadogEvent(service, destination.recipient, input.notification, where),
  };
}

export function datadogCaptureLine(c: CapturedPayload<DatadogWirePayload>): string {
  const b = c.payload.body;
  return `datadog ${c.recipient}  [${b.alert_type ?? "info"}] ${oneLine(b.title)}`;
}
