// The Datadog service type's shapes (an extension: notifications-engine has no Datadog service): `service.datadog`
// config (apiKey, site, apiURL, tags), the template's `datadog:` section (an Events API v1 event: title, text,
// alertType, priority, tags, aggregationKey) and the rendered event.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface DatadogServiceConfig extends ServiceConfigBase {
  type: "datadog";
  /** API key — secret. */
  apiKey: string;
  /** Datadog site, default datadoghq.com (datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com). */
  site?: string;
  /** API root instead of https://api.<site> (a proxy). */
  apiURL?: string;
  /** Tags added to every event of this service (e.g. env:prod). */
  tags?: string[];
}

export interface DatadogTemplateSpec {
  title?: string;
  text?: string;
  /** error | warning | info | success | user_update | recommendation | snapshot */
  alertType?: string;
  /** normal | low */
  priority?: string;
  /** Comma- or newline-separated tags. */
  tags?: string;
  aggregationKey?: string;
}

export interface DatadogEvent {
  title: string;
  text: string;
  alertType?: string;
  priority?: string;
  tags: string[];
  aggregationKey?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    datadog: DatadogServiceConfig;
  }
  interface TemplateSections {
    datadog?: DatadogTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    datadog?: DatadogEvent;
  }
}
