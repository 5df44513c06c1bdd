// Builds the HTTP request a webhook delivery sends (pure): URL, method, headers, body.

import { DeliveryError } from "../sink.ts";
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signWebhookBody } from "./webhook-signature.ts";
import type { WebhookRequest, WebhookServiceConfig } from "./webhook-types.ts";

export interface BuiltWebhookRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string;
}

const METHOD = /^[A-Za-z]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function invalid(service: string, what: string): DeliveryError {
  return new DeliveryError(`webhook ${JSON.stringify(service)}: ${what}`, {
    transient: false,
    code: "invalid_request",
  });
}

/** Upstream's rule: the service URL without trailing slashes, "/", and the template path without leading ones. */
export function joinWebhookUrl(base: string, path: string | undefined): string {
  if (!path) return base;
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

export function buildWebhookRequest(input: {
  service: WebhookServiceConfig;
  /** The rendered template part; absent → GET with the plain message as body (upstream default). */
  request: WebhookRequest | undefined;
  message: string;
  jobId: string;
  nowSec: number;
}): BuiltWebhookRequest {
  const { service, request } = input;
  const raw = joinWebhookUrl(service.url, request?.path);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(service.name, `invalid URL ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw invalid(service.name, `URL scheme ${url.protocol} is not http or https`);
  // Credentials in the URL (as Go's http client allows) become basic auth and leave the URL, so it can be logged.
  let urlAuth: string | undefined;
  if (url.username || url.password) {
    urlAuth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = "";
    url.password = "";
  }
  const method = (request?.method || "GET").toUpperCase();
  if (!METHOD.test(method)) throw invalid(service.name, `invalid method ${JSON.stringify(request?.method)}`);
  const body = request ? request.body : input.message;

  const headers: Record<string, string> = { "user-agent": "rollouts-notifier" };
  const set = (name: string, value: string, where: string) => {
    if (!HEADER_NAME.test(name))
      throw invalid(service.name, `${where} header name ${JSON.stringify(name)} is invalid`);
    if (/[\r\n\0]/.test(value))
      throw invalid(service.name, `${where} header ${JSON.stringify(name)} has a line break`);
    headers[name.toLowerCase()] = value;
  };
  for (const h of service.headers ?? []) set(h.name, h.value, "service");
  for (const h of request?.headers ?? []) set(h.name, h.value, "template");
  // Credentials from the service config win over anything a template sets.
  if (service.bearerToken) headers.authorization = `Bearer ${service.bearerToken}`;
  else if (service.basicAuth) {
    const { username, password } = service.basicAuth;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  } else if (urlAuth !== undefined)
    headers.authorization = `Basic ${Buffer.from(urlAuth).toString("base64")}`;
  headers[IDEMPOTENCY_HEADER.toLowerCase()] = input.jobId;
  if (service.signingSecret) {
    headers[SIGNATURE_HEADER.toLowerCase()] = signWebhookBody(service.signingSecret, body, input.nowSec);
  }
  return { url, method, headers, body };
}
