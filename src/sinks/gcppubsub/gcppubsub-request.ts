// What a Pub/Sub delivery sends (pure): POST <endpoint>/v1/projects/{project}/topics/{topic}:publish with
// {"messages":[{"data": base64(message), "attributes": {…}}]} (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish).
// The topic is the recipient, or the service's `topic` when the recipient is empty (upstream). Pub/Sub's limits are
// checked here, so a message it would refuse is a clear permanent error before anything is sent: a request of at
// most 10 MB, at most 100 attributes, names ≤ 256 bytes not starting with "goog", values ≤ 1024 bytes, and a
// message with data or at least one attribute.
import { createPrivateKey } from "node:crypto";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { GcpPubsubServiceConfig } from "./gcppubsub-types.ts";

export const DEFAULT_PUBSUB_ENDPOINT = "https://pubsub.googleapis.com";
/** Where a service account key without `token_uri` exchanges its JWT (golang.org/x/oauth2/google's JWTTokenURL). */
export const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** The scopes upstream's client (cloud.google.com/go/pubsub) asks for. */
export const PUBSUB_SCOPES = [
  "https://www.googleapis.com/auth/pubsub",
  "https://www.googleapis.com/auth/cloud-platform",
];

export const PUBSUB_LIMITS = {
  requestBytes: 10_000_000,
  attributes: 100,
  attributeKeyBytes: 256,
  attributeValueBytes: 1024,
} as const;

/** A project id (6–30 lowercase letters, digits, hyphens), optionally domain-scoped (example.com:my-project). */
export const PROJECT_ID = /^(?:[a-z0-9][-a-z0-9.]*[a-z0-9]:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** Why `topic` is not a topic id (Pub/Sub's resource name rules), or undefined. */
export function topicProblem(topic: string): string | undefined {
  if (topic.startsWith("projects/"))
    return "give the topic id, not its full name (the project is the service's `project`)";
  if (!/^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/.test(topic))
    return "a topic id starts with a letter and has 3–255 letters, digits, - _ . ~ + %";
  if (/^goog/i.test(topic)) return 'a topic id must not start with "goog"';
  return undefined;
}

/** The topic a delivery publishes to: the recipient, or the service's topic when the recipient is empty. */
export function topicFor(service: GcpPubsubServiceConfig, recipient: string): string | undefined {
  const r = recipient.trim();
  return r !== "" ? r : service.topic;
}

export function pubsubPublishUrl(service: GcpPubsubServiceConfig, topic: string): string {
  const root = (service.endpoint || DEFAULT_PUBSUB_ENDPOINT).replace(/\/+$/, "");
  return `${root}/v1/projects/${encodeURIComponent(service.project)}/topics/${encodeURIComponent(topic)}:publish`;
}

export interface PubsubPublishBody {
  messages: [{ data: string; attributes?: Record<string, string> }];
}

/** Why the attributes are not what Pub/Sub takes, or undefined. */
export function attributesProblem(attributes: Record<string, string>): string | undefined {
  const names = Object.keys(attributes);
  if (names.length > PUBSUB_LIMITS.attributes)
    return `${names.length} attributes, over ${PUBSUB_LIMITS.attributes}`;
  for (const [k, v] of Object.entries(attributes)) {
    if (k === "") return "an attribute name must not be empty";
    if (Buffer.byteLength(k) > PUBSUB_LIMITS.attributeKeyBytes)
      return `attribute ${JSON.stringify(k.slice(0, 40))}… is over ${PUBSUB_LIMITS.attributeKeyBytes} bytes`;
    if (/^goog/i.test(k)) return `attribute ${JSON.stringify(k)}: names starting with "goog" are reserved`;
    if (Buffer.byteLength(v) > PUBSUB_LIMITS.attributeValueBytes)
      return `attribute ${JSON.stringify(k)}'s value is over ${PUBSUB_LIMITS.attributeValueBytes} bytes`;
  }
  return undefined;
}

export interface PubsubPublish {
  topic: string;
  url: string;
  body: PubsubPublishBody;
}

/** The publish request (without credentials): the sink sends it, the dry run shows it. */
export function buildPubsubPublish(
  service: GcpPubsubServiceConfig,
  recipient: string,
  notification: Notification,
  where: string,
): PubsubPublish {
  const topic = topicFor(service, recipient);
  if (topic === undefined)
    throw new DeliveryError(
      `${where}: no topic (the subscription names none and the service has no \`topic\`)`,
      {
        transient: false,
        code: "invalid_recipient",
      },
    );
  const problem = topicProblem(topic);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const part = notification.gcppubsub ?? { data: notification.message };
  const attributes = part.attributes ?? {};
  const hasAttributes = Object.keys(attributes).length > 0;
  if (part.data === "" && !hasAttributes)
    throw new DeliveryError(`${where}: empty message (no data and no attributes)`, {
      transient: false,
      code: "invalid_message",
    });
  const why = attributesProblem(attributes);
  if (why) throw new DeliveryError(`${where}: ${why}`, { transient: false, code: "invalid_message" });
  const message: PubsubPublishBody["messages"][0] = {
    data: Buffer.from(part.data, "utf8").toString("base64"),
  };
  if (hasAttributes) message.attributes = attributes;
  const body: PubsubPublishBody = { messages: [message] };
  const bytes = Buffer.byteLength(JSON.stringify(body));
  if (bytes > PUBSUB_LIMITS.requestBytes)
    throw new DeliveryError(
      `${where}: message is ${bytes} bytes encoded, over ${PUBSUB_LIMITS.requestBytes}`,
      {
        transient: false,
        code: "message_too_large",
      },
    );
  return { topic, url: pubsubPublishUrl(service, topic), body };
}

/** The parts of a service account key file this service uses. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

/**
 * A service account key file's JSON, or why it is not one. The problem never quotes the content (it is a secret).
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: "is not JSON (expected a service account key file)" };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    return { problem: "must be a JSON object (a service account key file)" };
  const k = raw as Record<string, unknown>;
  if (k.type !== "service_account")
    return {
      problem:
        'must be a service account key ("type": "service_account"); for other credentials leave keyFile and keyJSON unset (Application Default Credentials)',
    };
  if (typeof k.client_email !== "string" || !k.client_email.includes("@"))
    return { problem: "has no client_email" };
  if (typeof k.private_key !== "string" || k.private_key === "") return { problem: "has no private_key" };
  try {
    const key = createPrivateKey(k.private_key);
    if (key.asymmetricKeyType !== "rsa") return { problem: "private_key is not an RSA key" };
  } catch {
    return { problem: "private_key is not a PEM private key" };
  }
  let tokenUri = DEFAULT_TOKEN_URI;
  if (k.token_uri !== undefined && k.token_uri !== "") {
    if (typeof k.token_uri !== "string" || !/^https?:\/\//i.test(k.token_uri))
      return { problem: "token_uri must be an absolute http(s) URL" };
    try {
      new URL(k.token_uri);
    } catch {
      return { problem: "token_uri must be an absolute http(s) URL" };
    }
    tokenUri = k.token_uri;
  }
  const out: ServiceAccountKey = { clientEmail: k.client_email, privateKey: k.private_key, tokenUri };
  if (typeof k.private_key_id === "string" && k.private_key_id !== "") out.privateKeyId = k.private_key_id;
  return out;
}

/** The secret spellings of a key file's content: the whole JSON, the PEM, each line of it, the key id. */
export function keySecrets(keyJSON: string | undefined): string[] {
  if (!keyJSON) return [];
  const out = [keyJSON];
  try {
    const k = JSON.parse(keyJSON) as Record<string, unknown>;
    if (typeof k.private_key === "string") {
      out.push(k.private_key);
      for (const line of k.private_key.split(/\r?\n/))
        if (line.length >= 16 && !line.startsWith("-----")) out.push(line);
    }
    if (typeof k.private_key_id === "string") out.push(k.private_key_id);
  } catch {
    // not JSON: the whole value is the secret
  }
  return out;
}
