// Self-service per namespace: the same ConfigMap/Secret names in a Rollout's namespace add services, templates,
// triggers and subscriptions for that namespace's Rollouts only.
//
// Isolation: a namespace config is loaded with loadNotifierConfig(..., { tenantNamespace }) from its own
// ConfigMap and Secret, so its `$refs` can only read its own Secret, and its services carry `tenantNamespace`
// (the webhook sink applies its SSRF guard to those). The merge below is per namespace: nothing a namespace
// defines is visible to another namespace's Rollouts.
//
// Every table of the result is a null-prototype object (tables.ts): a name a tenant writes is only ever a key.
import { userTable } from "./tables.ts";
import type { NotifierConfig, ServiceConfig } from "./types.ts";

/**
 * The config a Rollout in a namespace sees: service level plus the namespace's own. For the same name the
 * namespace's service/template/trigger wins for that namespace's Rollouts (a tenant can use its own Slack token
 * or its own wording); subscriptions are added; defaultTriggers are the namespace's when it sets them.
 */
export function effectiveConfig(
  serviceLevel: NotifierConfig,
  namespaceLevel: NotifierConfig | undefined,
): NotifierConfig {
  if (!namespaceLevel) {
    return {
      ...serviceLevel,
      services: userTable(serviceLevel.services),
      templates: userTable(serviceLevel.templates),
      triggers: userTable(serviceLevel.triggers),
      defaultTriggersByService: userTable(serviceLevel.defaultTriggersByService),
      context: userTable(serviceLevel.context),
    };
  }
  const services: Record<string, ServiceConfig> = userTable(serviceLevel.services);
  for (const name of Object.keys(namespaceLevel.services)) {
    const svc = namespaceLevel.services[name]!;
    // a namespace config loaded without tenantNamespace would be a wiring bug: refuse its services
    if (svc.tenantNamespace)
      Object.defineProperty(services, name, {
        value: svc,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return {
    services,
    templates: userTable(serviceLevel.templates, namespaceLevel.templates),
    triggers: userTable(serviceLevel.triggers, namespaceLevel.triggers),
    subscriptions: [...serviceLevel.subscriptions, ...namespaceLevel.subscriptions],
    defaultTriggers:
      namespaceLevel.defaultTriggers.length > 0
        ? namespaceLevel.defaultTriggers
        : serviceLevel.defaultTriggers,
    defaultTriggersByService: userTable(
      serviceLevel.defaultTriggersByService,
      namespaceLevel.defaultTriggersByService,
    ),
    context: userTable(serviceLevel.context, namespaceLevel.context),
  };
}
