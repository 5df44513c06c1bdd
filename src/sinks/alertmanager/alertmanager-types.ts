// The Alertmanager service type's shapes: `service.alertmanager` config (notifications-engine keys: targets, scheme,
// apiPath, insecureSkipVerify, basicAuth, bearerToken), the template's `alertmanager:` section, the rendered alert.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface AlertmanagerServiceConfig extends ServiceConfigBase {
  type: "alertmanager";
  /** host:port of every Alertmanager (an HA cluster: each gets the alert). */
  targets: string[];
  scheme?: "http" | "https";
  apiPath?: string;
  insecureSkipVerify?: boolean;
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
}

export interface AlertmanagerTemplateSpec {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generatorURL?: string;
  /** Extension: when the alert ends (RFC 3339; the built-in completion sets the render time: resolved). */
  endsAt?: string;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  generatorURL?: string;
  endsAt?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    alertmanager: AlertmanagerServiceConfig;
  }
  interface TemplateSections {
    alertmanager?: AlertmanagerTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    alertmanager?: AlertmanagerAlert;
  }
}
