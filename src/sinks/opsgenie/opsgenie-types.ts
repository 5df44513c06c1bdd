// The Opsgenie service type's shapes: `service.opsgenie` config (notifications-engine OpsgenieOptions: apiUrl,
// apiKeys per team), the template's `opsgenie:` section, the rendered alert request.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface OpsgenieServiceConfig extends ServiceConfigBase {
  type: "opsgenie";
  /** "api.opsgenie.com" (default), "api.eu.opsgenie.com", or a full URL. */
  apiUrl?: string;
  /** Team (the recipient) → API integration key — secret. */
  apiKeys: Record<string, string>;
}

export interface OpsgenieTemplateSpec {
  description?: string;
  priority?: string;
  alias?: string;
  note?: string;
  /** Extensions: tags (comma-separated after rendering), what to do (create | close), the alert group. */
  tags?: string;
  action?: string;
  alertGroup?: string;
}

export interface OpsgenieAlert {
  action: "create" | "close";
  message: string;
  description: string;
  priority?: string;
  alias?: string;
  note?: string;
  tags?: string[];
  /** Extension: closing closes every alert created with the same group (a Rollout's alerts). */
  alertGroup?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    opsgenie: OpsgenieServiceConfig;
  }
  interface TemplateSections {
    opsgenie?: OpsgenieTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    opsgenie?: OpsgenieAlert;
  }
}
