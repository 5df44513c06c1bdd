// The PagerDuty REST (v1 in notifications-engine's naming: `pagerduty`) service type's shapes: config (token, from,
// serviceID), the template's `pagerduty:` section, the rendered incident request.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface PagerDutyRestServiceConfig extends ServiceConfigBase {
  type: "pagerduty";
  /** REST API token — secret. */
  token: string;
  /** Email of a user of the account (the From header PagerDuty requires for account tokens). */
  from?: string;
  /** Service used when a subscription names none (upstream sends to the recipient, a service id). */
  serviceID?: string;
  /** The same, spelled as upstream's Go struct (serviceId). */
  serviceId?: string;
  /** REST API base, default https://api.pagerduty.com (extension). */
  apiURL?: string;
}

export interface PagerDutyRestTemplateSpec {
  title?: string;
  body?: string;
  urgency?: string;
  priorityID?: string;
  priorityId?: string;
  /** Extensions: the incident key (de-duplication), trigger | resolve, the incident group (a Rollout's incidents). */
  incidentKey?: string;
  action?: string;
  incidentGroup?: string;
}

export interface PagerDutyIncidentRequest {
  action: "trigger" | "resolve";
  title: string;
  body?: string;
  urgency?: string;
  priorityID?: string;
  incidentKey?: string;
  incidentGroup?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    pagerduty: PagerDutyRestServiceConfig;
  }
  interface TemplateSections {
    pagerduty?: PagerDutyRestTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    pagerdutyIncident?: PagerDutyIncidentRequest;
  }
}
