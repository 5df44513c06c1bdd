// The webhook service type (notifications-engine `webhook`): one HTTP request per notification, with an
// Idempotency-Key per job and an optional HMAC signature (see README.md).

import { sinkOptions } from "../common/sink-options.ts";
import { urlSecrets } from "../common/url-secrets.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinWebhookTemplate } from "./webhook-builtin.ts";
import { WEBHOOK_IGNORED_KEYS, webhookConfigSchema, webhookTemplateSchema } from "./webhook-config.ts";
import { ANY_WEBHOOK, renderWebhook, webhookEscapeMode, webhookTemplateSources } from "./webhook-render.ts";
import { WebhookSink } from "./webhook-sink.ts";
import type { WebhookRequest, WebhookServiceConfig, WebhookTemplateSpec } from "./webhook-types.ts";
import { type WebhookWirePayload, webhookCaptureLine, webhookWirePayload } from "./webhook-wire.ts";

export const webhookService: ServiceTypeDefinition<
  WebhookServiceConfig,
  Record<string, WebhookTemplateSpec>,
  WebhookRequest,
  WebhookWirePayload
> = {
  type: "webhook",
  docs: "docs/services/webhook.md",
  config: { schema: webhookConfigSchema, ignoredKeys: WEBHOOK_IGNORED_KEYS },
  // the URL may embed a secret (Slack/Teams/Discord incoming-webhook paths), also when a remote echoes the path
  secrets: (c) => [
    c.url,
    ...urlSecrets(c.url),
    c.bearerToken ?? "",
    c.signingSecret ?? "",
    c.basicAuth?.password ?? "",
    // the pair as the Authorization header carries it (its base64 is derived by the redactor)
    c.basicAuth ? `${c.basicAuth.username}:${c.basicAuth.password}` : "",
    ...(c.headers ?? []).map((h) => h.value),
  ],
  recipients: { problem: () => undefined },
  templates: {
    section: "webhook",
    schema: webhookTemplateSchema,
    sources: webhookTemplateSources,
    escapeMode: webhookEscapeMode,
    builtin: (p) => ({ [ANY_WEBHOOK]: builtinWebhookTemplate(p) }),
    // notifications-engine pkg/services/webhook.go Send: without `webhook.<name>`, request{body: Message, GET}
    upstreamSendsWithoutSection:
      "a GET request to the service URL with the template's `message` as its body (empty without one)",
    sectionFor: (section, name) => Object.hasOwn(section, name) || Object.hasOwn(section, ANY_WEBHOOK),
  },
  part: "webhook",
  render: renderWebhook,
  wirePayload: webhookWirePayload,
  captureLine: webhookCaptureLine,
  previewConfig: (name) => ({ type: "webhook", name, url: "https://example.invalid/" }),
  createSink: (deps) => {
    const { timeoutMs: _perServiceTimeout, ...opts } = sinkOptions(deps);
    return new WebhookSink(opts);
  },
};
