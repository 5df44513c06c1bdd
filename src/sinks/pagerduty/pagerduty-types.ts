// The PagerDuty Events v2 service type's shapes: `service.pagerdutyv2` config, the template's `pagerdutyv2:`
// section, the rendered event (notification part `pagerduty`). Added to the generic types by module augmentation.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface PagerDutyServiceConfig extends ServiceConfigBase {
  type: "pagerdutyv2";
  name: string; // "pagerdutyv2"
  /** routing (integration) key per recipient (PagerDuty service name) — upstream `serviceKeys`. */
  serviceKeys: Record<string, string>;
  apiURL?: string; // default https://events.pagerduty.com
  /** Set when the service comes from a namespace's self-service ConfigMap (that namespace's name). */
  tenantNamespace?: string;
}

export interface PagerDutyTemplateSpec {
  summary?: string;
  severity?: string; // critical | error | warning | info
  source?: string;
  component?: string;
  group?: string;
  class?: string;
  dedupKey?: string;
  eventAction?: string; // trigger | acknowledge | resolve
  customDetails?: string | Record<string, string>;
  /** upstream `url` (the event's client_url) */
  url?: string;
  /** Extension (built-in templates): PagerDutyEvent.incidentGroup — a resolve resolves the group's open alerts. */
  incidentGroup?: string;
}

export interface PagerDutyEvent {
  eventAction: "trigger" | "acknowledge" | "resolve";
  dedupKey: string;
  summary: string;
  severity: "critical" | "error" | "warning" | "info";
  source: string;
  component?: string;
  group?: string;
  class?: string;
  customDetails?: Record<string, unknown>;
  /** upstream `url`: the event's client_url. */
  clientUrl?: string;
  /**
   * Extension (built-in templates set it to "<namespace>/<rollout>"): groups the alerts of one Rollout. The sink
   * records (per routing key and group) the dedup keys it triggered with this group; a `resolve` carrying the group
   * resolves its own dedupKey and every recorded key of the group (so the completion of revision 3 resolves the
   * incident revision 2's abort opened). Without it, a resolve only resolves its own dedupKey (upstream).
   */
  incidentGroup?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    pagerdutyv2: PagerDutyServiceConfig;
  }
  interface TemplateSections {
    pagerdutyv2?: PagerDutyTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    pagerduty?: PagerDutyEvent;
  }
}
