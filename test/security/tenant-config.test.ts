// Hostile tenants vs the config: a namespace's ConfigMap can only add to its own namespace, whatever its name,
// and names that exist on every JS object are names like any other.
import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { createLogger } from "../../src/logger.ts";
import { resolveDestinations } from "../../src/subscriptions/resolve-destinations.ts";
import { configMap, secret } from "../config/load-examples.ts";

const quiet = () => createLogger({ level: "silent" });
const P = "notifications.argoproj.io";

function centralStore(): ConfigStore {
  const store = new ConfigStore({ logger: quiet(), namespace: "argo-rollouts" });
  store.update(
    configMap({
      "service.slack": "token: $slack-token",
      subscriptions: "- recipients: [slack:central]\n  triggers: [on-rollout-completed]",
    }),
    secret({ "slack-token": "xoxb-central" }),
  );
  return store;
}

function rollout(namespace: string, annotations: Record<string, string> = {}): KubeObject {
  return { kind: "Rollout", metadata: { name: "web", namespace, uid: `uid-${namespace}`, annotations } };
}

describe("tenant isolation by construction", () => {
  for (const hostile of ["service", "__proto__", "constructor", "argo-rollouts-x"]) {
    it(`a namespace named ${JSON.stringify(hostile)} cannot replace the central config, and deleting its ConfigMap is a normal event`, () => {
      const store = centralStore();
      store.updateNamespace(
        hostile,
        configMap(
          {
            "service.slack": "token: $mine",
            subscriptions: "- recipients: [slack:attacker]\n  triggers: [on-rollout-completed]",
          },
          hostile,
        ),
        secret({ mine: "xoxb-tenant" }, hostile),
      );
      // every other namespace still sees the central service and subscriptions only
      const other = store.forNamespace("shop");
      expect((other.services.slack as { token: string }).token).toBe("xoxb-central");
      expect(other.subscriptions.flatMap((s) => s.recipients)).toEqual(["slack:central"]);
      expect(store.current.services.slack?.tenantNamespace).toBeUndefined();
      // the tenant's own namespace sees its additions
      const own = store.forNamespace(hostile);
      expect(own.services.slack?.tenantNamespace).toBe(hostile);
      expect(own.subscriptions.flatMap((s) => s.recipients)).toEqual(["slack:central", "slack:attacker"]);

      store.updateNamespace(hostile, undefined, undefined);
      expect(store.readiness()).toMatchObject({ ok: true, detail: [] });
      const after = store.forNamespace("shop");
      expect((after.services.slack as { token: string }).token).toBe("xoxb-central");
      const routed = resolveDestinations({
        trigger: "on-rollout-completed",
        rollout: rollout("shop"),
        config: after,
      });
      expect(routed.destinations).toEqual([{ service: "slack", recipient: "central" }]);
      expect(store.forNamespace(hostile).services.slack?.tenantNamespace).toBeUndefined();
    });
  }

  it("deleting the central ConfigMap and Secret is a normal event (empty config, no crash)", () => {
    const store = centralStore();
    store.update(undefined, undefined);
    expect(Object.keys(store.forNamespace("shop").services)).toEqual([]);
    store.update(configMap({ "service.slack": "token: $slack-token" }), undefined);
    expect(store.readiness().ok).toBe(false);
    store.update(undefined, secret({ "slack-token": "x" }));
    expect(store.forNamespace("shop").subscriptions).toEqual([]);
  });
});

describe("names that exist on every JS object", () => {
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    it(`service ${JSON.stringify(name)} in an annotation is reported as not configured`, () => {
      const store = centralStore();
      const r = resolveDestinations({
        trigger: "on-rollout-completed",
        rollout: rollout("shop", { [`${P}/subscribe.on-rollout-completed.${name}`]: "x" }),
        config: store.forNamespace("shop"),
      });
      expect(r.problems.map((p) => p.message)).toContain(`service "${name}" is not configured`);
      expect(r.destinations).toEqual([{ service: "slack", recipient: "central" }]);
    });

    it(`a ConfigMap key named ${JSON.stringify(name)} is only a key (service, template, trigger)`, () => {
      const r = loadNotifierConfig(
        configMap({
          [`service.webhook.${name}`]: "url: https://hook.example",
          [`template.${name}`]: "message: hi",
        }),
        undefined,
      );
      expect(r.errors).toEqual([]);
      expect(Object.getPrototypeOf(r.config.services)).toBeNull();
      expect(Object.keys(r.config.services)).toEqual([name]);
      expect(Object.keys(r.config.templates)).toEqual([name]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
});
