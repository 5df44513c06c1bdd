// What a delivery would send, service-shaped, for `replay --dry-run` and the `--capture` sink: each service type's
// `wirePayload` (src/sinks/<type>/), built with the sink's own request builder, so a payload the sink would reject
// fails here the same way (DeliveryError). Secrets never appear: credentials are replaced by "[redacted]" by the
// type, and redactSecrets() removes any known secret value that a template or URL carried.
import type { Destination, ServiceConfig } from "../config/types.ts";
import { serviceTypeFor } from "../sinks/registry.ts";
import type { WirePayloadBase } from "../sinks/service-type.ts";
import { REDACTED } from "../sinks/shared/redacted.ts";
import type { Notification } from "../templates/notification.ts";

export { REDACTED };

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

/** Replaces every occurrence of a known secret value in a text (e.g. a JSON line) by "[redacted]". */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of sorted) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    // the same value as it appears inside JSON strings
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
