import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { effectiveConfig } from "../../src/config/effective-config.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import { createLogger } from "../../src/logger.ts";
import type { WebhookServiceConfig } from "../../src/sinks/webhook/webhook-types.ts";
import { resolveDestinations } from "../../src/subscriptions/resolve-destinations.ts";
import {
  configMap,
  exampleConfigMap,
  exampleSecret,
  exampleTenantConfigMap,
  exampleTenantSecret,
  secret,
} from "./load-examples.ts";

const quiet = () => createLogger({ level: "silent" });

describe("namespace self-service config", () => {
  it("adds services, templates and triggers for that namespace, marked with the tenant namespace", () => {
    const service = loadNotifierConfig(exampleConfigMap(), exampleSecret()).config;
    const tenant = loadNotifierConfig(exampleTenantConfigMap(), exampleTenantSecret(), {
      tenantNamespace: "payments",
    });
    expect(tenant.errors).toEqual([]);
    const eff = effectiveConfig(service, tenant.config);
    const ci = eff.services["payments-ci"] as WebhookServiceConfig;
    expect(ci).toMatchObject({
      type: "webhook",
      bearerToken: "example-ci-token",
      tenantNamespace: "payments",
    });
    expect(eff.services.slack?.tenantNamespace).toBeUndefined();
    expect(eff.templates["payments-step"]).toBeDefined();
    expect(eff.templates["rollout-completed"]).toBeDefined();
    expect(eff.triggers["on-rollout-step-completed"]).toEqual([{ send: ["payments-step"] }]);
  });

  it("a namespace config cannot read the service-level Secret (key only there → error, not the value)", () => {
    const tenant = loadNotifierConfig(
      configMap({ "service.slack": "token: $slack-token" }, "team-a"),
      secret({}, "team-a"),
      { tenantNamespace: "team-a" },
    );
    expect(tenant.errors).toHaveLength(1);
    expect(tenant.errors[0]!.message).toBe(
      'references "$slack-token" but Secret team-a/argo-rollouts-notification-secret has no such key',
    );
    expect(tenant.config.services.slack).toBeUndefined();

    // through the store, with the service Secret holding the key: still not resolvable from the namespace
    const store = new ConfigStore({ logger: quiet() });
    store.update(exampleConfigMap(), exampleSecret());
    const r = store.updateNamespace(
      "team-a",
      configMap({ "service.slack.mine": "token: $slack-token" }, "team-a"),
      undefined,
    );
    expect(r.errors[0]!.message).toContain("Secret team-a/argo-rollouts-notification-secret does not exist");
    expect(store.forNamespace("team-a").services.mine).toBeUndefined();
  });

  it("refuses another namespace's Secret", () => {
    const r = loadNotifierConfig(
      configMap({ "service.webhook.h": "url: https://h.example\nbearerToken: $t" }, "team-a"),
      secret({ t: "team-b-token" }, "team-b"),
      { tenantNamespace: "team-a" },
    );
    expect(r.errors.map((e) => e.key)).toEqual(["metadata.namespace", "service.webhook.h"]);
    expect(JSON.stringify(r)).not.toContain("team-b-token");
  });

  it("the service-level Secret never sees namespace Secret keys (the other direction)", () => {
    const store = new ConfigStore({ logger: quiet() });
    store.updateNamespace("team-a", configMap({}, "team-a"), secret({ "team-token": "tt" }, "team-a"));
    const r = store.update(
      configMap({ "service.webhook.h": "url: https://h.example\nbearerToken: $team-token" }),
      secret({}),
    );
    expect(r.errors[0]!.message).toContain('"$team-token"');
    expect(store.current.services.h).toBeUndefined();
  });

  it("one namespace cannot override or use another namespace's services", () => {
    const store = new ConfigStore({ logger: quiet() });
    store.update(exampleConfigMap(), exampleSecret());
    store.updateNamespace(
      "team-a",
      configMap({ "service.webhook.a-hook": "url: https://a.example" }, "team-a"),
      undefined,
    );
    store.updateNamespace(
      "team-b",
      configMap({ "service.webhook.deploy-log": "url: https://evil.example" }, "team-b"),
      undefined,
    );

    // team-b's override of deploy-log applies to team-b's Rollouts only
    expect((store.forNamespace("team-b").services["deploy-log"] as WebhookServiceConfig).url).toBe(
      "https://evil.example",
    );
    expect((store.forNamespace("team-a").services["deploy-log"] as WebhookServiceConfig).url).toBe(
      "https://deploy-log.example.com/api",
    );
    expect((store.current.services["deploy-log"] as WebhookServiceConfig).url).toBe(
      "https://deploy-log.example.com/api",
    );

    // a team-b Rollout subscribing to team-a's webhook: a problem, not a delivery
    const rollout = {
      kind: "Rollout",
      metadata: {
        name: "r",
        namespace: "team-b",
        uid: "u1",
        annotations: { "notifications.argoproj.io/subscribe.on-rollout-completed.a-hook": "" },
      },
    };
    const res = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout,
      config: store.forNamespace("team-b"),
    });
    expect(res.destinations.filter((d) => d.service === "a-hook")).toEqual([]);
    expect(res.problems.map((p) => p.message)).toContain('service "a-hook" is not configured');
  });

  it("a namespace ConfigMap from another namespace is refused", () => {
    const r = loadNotifierConfig(configMap({ "template.x": "message: x" }, "team-b"), undefined, {
      tenantNamespace: "team-a",
    });
    expect(r.errors[0]).toMatchObject({ key: "metadata.namespace", message: "must be team-a" });
    expect(r.config.templates).toEqual({});
  });
});
