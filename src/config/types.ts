// The validated, in-memory form of an argo-rollouts-notification-configmap (+ Secret).
// Loading/validation lives in src/config; these types are the contract the other stages read.

/**
 * Every service config has a type, the name subscriptions use, and (for a namespace's self-service ConfigMap) that
 * namespace. Each service type adds its own fields: src/sinks/<type>/ declares its config interface and adds it to
 * `ServiceConfigByType` (module augmentation), so the union below always lists exactly the registered types.
 */
export interface ServiceConfigBase {
  type: string;
  /** `service.<type>` → "<type>"; `service.<type>.<name>` → "<name>": the name used in subscriptions. */
  name: string;
  /** Set when the service comes from a namespace's self-service ConfigMap (that namespace's name). */
  tenantNamespace?: string;
}

// biome-ignore lint/suspicious/noEmptyInterface: filled in by each src/sinks/<type>/ (declaration merging)
export interface ServiceConfigByType {}

export type ServiceType = keyof ServiceConfigByType & string;
export type ServiceConfig = ServiceConfigByType[ServiceType];

/**
 * The per-service sections of a template (`slack:`, `pagerdutyv2:`, `webhook:`, …), as written in the ConfigMap.
 * Each src/sinks/<type>/ adds its section here (module augmentation).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each src/sinks/<type>/ (declaration merging)
export interface TemplateSections {}

export interface TemplateSpec extends TemplateSections {
  name: string;
  message?: string;
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
  recipient: string; // channel, PagerDuty service, … or "" for webhooks
}
