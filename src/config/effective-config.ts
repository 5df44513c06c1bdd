// Self-service per namespace: the same ConfigMap/Secret names in a Rollout's namespace add services, templates,
// triggers and subscriptions for that namespace's Rollouts only.
//
// Isolation: a namespace config is loaded with loadNotifierConfig(..., { tenantNamespace }) from its own
// ConfigMap and Secret, so its `$refs` can only read its own Secret, and its services carry `tenantNamespace`
// (the webhook sink applies its SSRF guard to those). The merge below is per namespace: nothing a namespace
// defines is visible to another namespace's Rollouts.
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
  if (!namespaceLevel) return serviceLevel;
  const services: Record<string, ServiceConfig> = { ...serviceLevel.services };
  for (const [name, svc] of Object.entries(namespaceLevel.services)) {
    // a namespace config loaded without tenantNamespace would be a wiring bug: refuse its services
    if (svc.tenantNamespace) services[name] = svc;
  }
  return {
    services,
    templates: { ...serviceLevel.templates, ...namespaceLevel.templates },
    triggers: { ...serviceLevel.triggers, ...namespaceLevel.triggers },
    subscriptions: [...serviceLevel.subscriptions, ...namespaceLevel.subscriptions],
    defaultTriggers:
      namespaceLevel.defaultTriggers.length > 0
        ? namespaceLevel.defaultTriggers
        : serviceLevel.defaultTriggers,
    defaultTriggersByService: {
      ...serviceLevel.defaultTriggersByService,
      ...namespaceLevel.defaultTriggersByService,
    },
    context: { ...serviceLevel.context, ...namespaceLevel.context },
  };
}
