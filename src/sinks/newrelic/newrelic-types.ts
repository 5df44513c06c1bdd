// The New Relic service type's shapes: `service.newrelic` config (notifications-engine NewrelicOptions: apiKey,
// apiURL), the template's `newrelic:` section (revision, changelog, description, user), the rendered marker.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface NewrelicServiceConfig extends ServiceConfigBase {
  type: "newrelic";
  /** User API key — secret. */
  apiKey: string;
  /** REST API base URL, default https://api.newrelic.com (EU: https://api.eu.newrelic.com). */
  apiURL?: string;
}

export interface NewrelicTemplateSpec {
  /** Extension: upstream renders a fixed Argo CD revision path, which a Rollout does not have. */
  revision?: string;
  changelog?: string;
  description?: string;
  user?: string;
}

export interface NewrelicDeployment {
  revision: string;
  changelog?: string;
  description?: string;
  user?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    newrelic: NewrelicServiceConfig;
  }
  interface TemplateSections {
    newrelic?: NewrelicTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    newrelic?: NewrelicDeployment;
  }
}
