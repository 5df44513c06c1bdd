// What a delivery would send, service-shaped, for `replay --dry-run` and the `--capture` sink: each service type's
// `wirePayload` (src/sinks/<type>/), built with the sink's own request builder, so a payload the sink would reject
// fails here the same way (DeliveryError). Secrets never appear: credentials are replaced by "[redacted]" by the
// type, and redactSecrets() removes any known secret value that a template or URL carried.
import type { Destination, ServiceConfig } from "../config/types.ts";
import { REDACTED, redactSecrets } from "../sinks/common/redacted.ts";
import { serviceTypeFor } from "../sinks/registry.ts";
import type { WirePayloadBase } from "../sinks/service-type.ts";
import type { Notification } from "../templates/notification.ts";

export { REDACTED, redactSecrets };

/** A service type's wire payload (`type` names the service type). */
export type WirePayload = WirePayloadBase & Record<string, unknown>;

export interface WirePayloadInput {
  jobId: string;
  destination: Destination;
  service: ServiceConfig;
  notification: Notification;
  /** Timestamp for time-stamped payloads (PagerDuty events, webhook signatures): fixed for deterministic output. */
  now: Date;
}

export function buildWirePayload(input: WirePayloadInput): WirePayload {
  return serviceTypeFor(input.service).wirePayload(input) as WirePayload;
}
