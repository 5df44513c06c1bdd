// The webhook service type's shapes: `service.webhook.<name>` config, the template's `webhook:` section (per
// webhook name), the rendered request. Added to the generic types by module augmentation.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface WebhookServiceConfig extends ServiceConfigBase {
  type: "webhook";
  name: string; // <name> of service.webhook.<name>
  url: string;
  headers?: { name: string; value: string }[];
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  /** HMAC-SHA256 signing secret: when set, requests carry a signature header. */
  signingSecret?: string;
  timeoutMs?: number;
  insecureSkipVerify?: boolean;
  /** Set when the service comes from a namespace's self-service ConfigMap: the SSRF guard applies. */
  tenantNamespace?: string;
}

export interface WebhookTemplateSpec {
  method?: string;
  path?: string;
  body?: string;
  headers?: { name: string; value: string }[];
}

export interface WebhookRequest {
  method: string;
  path: string;
  body: string;
  headers?: { name: string; value: string }[];
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    webhook: WebhookServiceConfig;
  }
  interface TemplateSections {
    /** keyed by webhook service name ("*" = every webhook service; the built-in templates use it) */
    webhook?: Record<string, WebhookTemplateSpec>;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    webhook?: WebhookRequest;
  }
}
