// What a NATS delivery publishes (pure): the servers to connect to, the subject (the recipient), the headers (the
// service's, then Nats-Msg-Id = the job id so a JetStream stream on the subject drops a retried duplicate) and the
// data.
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { NatsServiceConfig } from "./nats-types.ts";

/** nats-server's default max_payload; a server may announce less (then the client refuses the message). */
export const NATS_MAX_PAYLOAD = 1024 * 1024;
/** At most this many servers in `url` (a bound on user input). */
export const NATS_MAX_SERVERS = 16;
export const NATS_MSG_ID_HEADER = "Nats-Msg-Id";
export const NATS_HEADER_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export interface NatsServer {
  url: URL;
  tls: boolean;
  host: string;
  port: number;
}

/** `url` as nats.Connect takes it: one or more comma-separated nats:// (or tls://) URLs, port 4222 by default. */
export function parseNatsServers(text: string): { servers: NatsServer[] } | { problem: string } {
  const parts = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (!parts.length) return { problem: "must be a NATS server URL (nats://host:4222)" };
  if (parts.length > NATS_MAX_SERVERS) return { problem: `names more than ${NATS_MAX_SERVERS} servers` };
  const servers: NatsServer[] = [];
  for (const p of parts) {
    let url: URL;
    try {
      url = new URL(p.includes("://") ? p : `nats://${p}`);
    } catch {
      return { problem: `${JSON.stringify(p.replace(/\/\/[^@/]*@/, "//…@"))} is not a URL` };
    }
    if (url.protocol !== "nats:" && url.protocol !== "tls:")
      return { problem: `must use nats:// or tls:// (got ${url.protocol}//)` };
    if (!url.hostname) return { problem: "must name a host" };
    const host = url.hostname.replace(/^\[|\]$/g, "");
    servers.push({ url, tls: url.protocol === "tls:", host, port: url.port ? Number(url.port) : 4222 });
  }
  return { servers };
}

/** Why a subject cannot be published to (NATS: dot-separated non-empty tokens, no whitespace, no wildcards). */
export function natsSubjectProblem(subject: string): string | undefined {
  if (subject === "") return "a subject must not be empty";
  if (subject.length > 1024) return "a subject is at most 1024 characters";
  if (/[\s\p{Cc}]/u.test(subject)) return "a subject must not contain whitespace or control characters";
  const tokens = subject.split(".");
  if (tokens.some((t) => t === "")) return "a subject's tokens (between dots) must not be empty";
  if (tokens.some((t) => t === "*" || t === ">"))
    return "a subject to publish to must not hold a wildcard (* or >)";
  return undefined;
}

export interface NatsPublish {
  subject: string;
  headers: Record<string, string>;
  data: string;
}

export function buildNatsPublish(
  jobId: string,
  subject: string,
  service: NatsServiceConfig,
  notification: Notification,
  where: string,
): NatsPublish {
  const problem = natsSubjectProblem(subject);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const data = notification.nats?.data ?? notification.message;
  if (data.trim() === "")
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const bytes = Buffer.byteLength(data);
  if (bytes > NATS_MAX_PAYLOAD)
    throw new DeliveryError(`${where}: message is ${bytes} bytes, over ${NATS_MAX_PAYLOAD}`, {
      transient: false,
      code: "message_too_large",
    });
  return { subject, headers: { ...(service.headers ?? {}), [NATS_MSG_ID_HEADER]: jobId }, data };
}
