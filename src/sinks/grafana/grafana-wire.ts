// `replay --dry-run`/`--capture` view of a Grafana delivery: the annotation as the POST creates it (the API key is
// only in a header) and the region it belongs to. A later notification of a region sends its `text` (and `timeEnd`
// when it ends the region) as a PATCH of the region's annotation instead: which one depends on the sink's state.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildGrafanaRequest, type GrafanaAnnotationBody, grafanaAnnotationsUrl } from "./grafana-request.ts";
import type { GrafanaServiceConfig } from "./grafana-types.ts";

export interface GrafanaWirePayload {
  type: "grafana";
  api: string;
  annotation: GrafanaAnnotationBody;
  region?: string;
  endsRegion?: boolean;
}

export const grafanaWhere = (service: GrafanaServiceConfig, recipient: string) =>
  `grafana service ${JSON.stringify(service.name)} tags ${JSON.stringify(recipient)}`;

export function grafanaWirePayload(input: WirePayloadInput<GrafanaServiceConfig>): GrafanaWirePayload {
  const { service, destination } = input;
  const where = grafanaWhere(service, destination.recipient);
  const req = buildGrafanaRequest(service, destination.recipient, input.notification, where);
  const out: GrafanaWirePayload = {
    type: "grafana",
    api: grafanaAnnotationsUrl(service).toString(),
    annotation: req.body,
  };
  if (req.region) out.region = req.region;
  if (req.endsRegion) out.endsRegion = true;
  return out;
}

export function grafanaCaptureLine(c: CapturedPayload<GrafanaWirePayload>): string {
  const p = c.payload;
  const region = p.region ? ` [region ${p.region}${p.endsRegion ? ", ends" : ""}]` : "";
  return `grafana ${c.recipient}${region} ${oneLine(p.annotation.text)}`;
}
