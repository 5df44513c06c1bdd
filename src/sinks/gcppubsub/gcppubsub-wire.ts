// `replay --dry-run`/`--capture` view of a Pub/Sub delivery: the publish request as sent (built by the sink's own
// buildPubsubPublish), the bearer token REDACTED, which credentials it would use, and the data decoded for reading.
import { oneLine } from "../common/capture-text.ts";
import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildPubsubPublish, type PubsubPublishBody, parseServiceAccountKey } from "./gcppubsub-request.ts";
import type { GcpPubsubServiceConfig } from "./gcppubsub-types.ts";

export interface GcpPubsubWirePayload {
  type: "gcppubsub";
  api: string;
  topic: string;
  headers: { authorization: string };
  /** Where the access token comes from (never the key itself). */
  credentials: string;
  body: PubsubPublishBody;
  /** The message data as text (the body carries it base64-encoded). */
  text: string;
}

export const gcppubsubWhere = (service: GcpPubsubServiceConfig, recipient: string) =>
  `gcppubsub service ${JSON.stringify(service.name)}${recipient.trim() ? ` topic ${JSON.stringify(recipient.trim())}` : ""}`;

function credentialsOf(service: GcpPubsubServiceConfig): string {
  if (service.keyJSON !== undefined) {
    const key = parseServiceAccountKey(service.keyJSON);
    return "problem" in key
      ? "keyJSON (invalid)"
      : `keyJSON service account ${key.clientEmail} via ${key.tokenUri}`;
  }
  if (service.keyFile !== undefined) return `keyFile ${service.keyFile}`;
  return "Application Default Credentials";
}

export function gcppubsubWirePayload(input: WirePayloadInput<GcpPubsubServiceConfig>): GcpPubsubWirePayload {
  const { service, destination } = input;
  const where = gcppubsubWhere(service, destination.recipient);
  const publish = buildPubsubPublish(service, destination.recipient, input.notification, where);
  return {
    type: "gcppubsub",
    api: publish.url,
    topic: `projects/${service.project}/topics/${publish.topic}`,
    headers: { authorization: `Bearer ${REDACTED}` },
    credentials: credentialsOf(service),
    body: publish.body,
    text: Buffer.from(publish.body.messages[0].data, "base64").toString("utf8"),
  };
}

export function gcppubsubCaptureLine(c: CapturedPayload<GcpPubsubWirePayload>): string {
  const attrs = c.payload.body.messages[0].attributes ?? {};
  const shown = Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `gcppubsub ${c.payload.topic}  ${oneLine(c.payload.text)}${shown ? `  [${oneLine(shown)}]` : ""}`;
}
