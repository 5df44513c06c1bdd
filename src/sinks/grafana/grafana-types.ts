// The Grafana service type's shapes: `service.grafana` config (notifications-engine GrafanaOptions: apiUrl, apiKey,
// insecureSkipVerify; extensions: dashboardUID, panelId), the template's `grafana:` section (extensions: text, tags,
// region, endsRegion), the rendered annotation.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface GrafanaServiceConfig extends ServiceConfigBase {
  type: "grafana";
  /** Grafana's HTTP API, e.g. https://grafana.example.com/api (annotations are `<apiUrl>/annotations`). */
  apiUrl: string;
  /** API key or service-account token (Bearer) — secret. */
  apiKey: string;
  insecureSkipVerify?: boolean;
  /** Extension: the dashboard the annotations belong to (else organisation-wide). */
  dashboardUID?: string;
  /** Extension: the panel of `dashboardUID` they belong to. */
  panelId?: number;
}

export interface GrafanaTemplateSpec {
  /** The annotation's text (default: the template's message, as upstream). */
  text?: string;
  /** More tags, `|`-separated, after the recipient's. */
  tags?: string;
  /** Key of the region the notification belongs to (built-in: `<namespace>/<rollout>/<revision>`); empty: none. */
  region?: string;
  /** "true": the notification closes its region (built-in: completed, aborted). */
  endsRegion?: string;
}

export interface GrafanaAnnotationPart {
  text: string;
  /** Epoch ms of the event (the notification's `time`): the annotation's time, the same on every retry. */
  time: number;
  tags?: string[];
  region?: string;
  endsRegion?: boolean;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    grafana: GrafanaServiceConfig;
  }
  interface TemplateSections {
    grafana?: GrafanaTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    grafana?: GrafanaAnnotationPart;
  }
}
