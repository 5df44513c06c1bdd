// `replay --dry-run`/`--capture` view of a webhook delivery: the request the sink would send (built by the sink's own
// buildWebhookRequest), with credential and signature headers redacted.

import { oneLine } from "../common/capture-text.ts";
import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildWebhookRequest } from "./webhook-request.ts";
import { SIGNATURE_HEADER } from "./webhook-signature.ts";
import type { WebhookServiceConfig } from "./webhook-types.ts";

export interface WebhookWirePayload {
  type: "webhook";
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", SIGNATURE_HEADER.toLowerCase()]);

export function webhookWirePayload(input: WirePayloadInput<WebhookServiceConfig>): WebhookWirePayload {
  const req = buildWebhookRequest({
    service: input.service,
    request: input.notification.webhook,
    message: input.notification.message,
    jobId: input.jobId,
    nowSec: Math.floor(input.now.getTime() / 1000),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = CREDENTIAL_HEADERS.has(k) ? REDACTED : v;
  return { type: "webhook", method: req.method, url: req.url.toString(), headers, body: req.body };
}

export function webhookCaptureLine(c: CapturedPayload<WebhookWirePayload>): string {
  const p = c.payload;
  return `webhook ${c.service}  ${p.method} ${p.url}  ${oneLine(p.body, 100)}`;
}
