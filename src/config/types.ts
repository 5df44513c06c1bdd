// The validated, in-memory form of an argo-rollouts-notification-configmap (+ Secret).
// Loading/validation lives in src/config; these types are the contract the other stages read.

export type ServiceType = "slack" | "pagerdutyv2" | "webhook";

export interface SlackServiceConfig {
  type: "slack";
  name: string; // "slack" (service.slack) — the name used in subscriptions
  token: string; // resolved from the Secret; never logged
  apiURL?: string; // default https://slack.com/api/
  username?: string;
  icon?: string;
  signingSecret?: string;
  insecureSkipVerify?: boolean;
  /** Set when the service comes from a namespace's self-service ConfigMap (that namespace's name). */
  tenantNamespace?: string;
}

export interface PagerDutyServiceConfig {
  type: "pagerdutyv2";
  name: string; // "pagerdutyv2"
  /** routing (integration) key per recipient (PagerDuty service name) — upstream `serviceKeys`. */
  serviceKeys: Record<string, string>;
  apiURL?: string; // default https://events.pagerduty.com
  /** Set when the service comes from a namespace's self-service ConfigMap (that namespace's name). */
  tenantNamespace?: string;
}

export interface WebhookServiceConfig {
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

export type ServiceConfig = SlackServiceConfig | PagerDutyServiceConfig | WebhookServiceConfig;

/** Per-service part of a template, as written in the ConfigMap (strings are template sources). */
export interface SlackTemplateSpec {
  text?: string;
  attachments?: string; // JSON after rendering
  blocks?: string; // JSON after rendering
  groupingKey?: string;
  notifyBroadcast?: boolean;
  deliveryPolicy?: "Post" | "PostAndUpdate" | "Update";
  username?: string;
  icon?: string;
  /** Extension (not upstream; used by built-in templates): what the grouping thread's root message shows. */
  threadRoot?: { text?: string; attachments?: string; blocks?: string };
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

export interface WebhookTemplateSpec {
  method?: string;
  path?: string;
  body?: string;
  headers?: { name: string; value: string }[];
}

export interface TemplateSpec {
  name: string;
  message?: string;
  slack?: SlackTemplateSpec;
  pagerdutyv2?: PagerDutyTemplateSpec;
  /** keyed by webhook service name */
  webhook?: Record<string, WebhookTemplateSpec>;
}

export interface TriggerCondition {
  /** CEL expression (expr-lang and/or/not accepted); absent = the built-in detection alone decides. */
  when?: string;
  send: string[]; // template names
  oncePer?: string; // expression whose value makes the notification unique
  description?: string;
}

export interface SubscriptionSpec {
  recipients: string[]; // "service:recipient" as upstream (e.g. "slack:my-channel")
  triggers: string[];
  selector?: string; // label selector on the Rollout
}

export interface NotifierConfig {
  services: Record<string, ServiceConfig>;
  templates: Record<string, TemplateSpec>;
  triggers: Record<string, TriggerCondition[]>;
  subscriptions: SubscriptionSpec[];
  defaultTriggers: string[];
  defaultTriggersByService: Record<string, string[]>;
  context: Record<string, string>;
}

/** Where one notification goes. */
export interface Destination {
  service: string; // service name as configured (slack, pagerdutyv2, or a webhook's <name>)
  recipient: string; // channel, PagerDuty service, or "" for webhooks
}
