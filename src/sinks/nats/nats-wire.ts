// `replay --dry-run`/`--capture` view of a NATS delivery: the subject, headers and data published (the servers
// without their credentials).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildNatsPublish, type NatsPublish, parseNatsServers } from "./nats-request.ts";
import type { NatsServiceConfig } from "./nats-types.ts";

export interface NatsWirePayload extends NatsPublish {
  type: "nats";
  servers: string[];
}

export function natsWhere(service: NatsServiceConfig, subject: string): string {
  return `nats service ${JSON.stringify(service.name)} subject ${JSON.stringify(subject)}`;
}

export function natsWirePayload(input: WirePayloadInput<NatsServiceConfig>): NatsWirePayload {
  const { service, destination } = input;
  const where = natsWhere(service, destination.recipient);
  const publish = buildNatsPublish(input.jobId, destination.recipient, service, input.notification, where);
  const parsed = parseNatsServers(service.url);
  const servers = "servers" in parsed ? parsed.servers.map((s) => `${s.url.protocol}//${s.url.host}`) : [];
  return { type: "nats", servers, ...publish };
}

export function natsCaptureLine(c: CapturedPayload<NatsWirePayload>): string {
  return `nats ${c.payload.subject}  ${oneLine(c.payload.data)}`;
}
