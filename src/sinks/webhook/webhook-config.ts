// `service.webhook.<name>` keys (notifications-engine's WebhookOptions names, plus our signing/bearer extensions)
// and the template's `webhook:` section (per webhook service name).
import { z } from "zod";
import { header, httpUrl, nonEmpty, templateHeader } from "../common/config-schemas.ts";

export const webhookConfigSchema = z.object({
  url: httpUrl,
  headers: z.array(header).optional(),
  basicAuth: z.object({ username: z.string(), password: z.string() }).optional(),
  bearerToken: z.string().optional(),
  signingSecret: nonEmpty.optional(),
  timeoutMs: z.number().int().positive().max(300_000).optional(),
  insecureSkipVerify: z.boolean().optional(),
});

/** Upstream keys we accept without effect (the queue's retry policy replaces upstream's retries). */
export const WEBHOOK_IGNORED_KEYS = [
  "retryWaitMin",
  "retryWaitMax",
  "retryMax",
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

export const webhookTemplateSchema = z.record(
  z.string(),
  z.object({
    method: z.string().optional(),
    path: z.string().optional(),
    body: z.string().optional(),
    headers: z.array(templateHeader).optional(),
  }),
);
