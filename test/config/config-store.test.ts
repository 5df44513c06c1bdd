import { describe, expect, it } from "vitest";
import type { ConfigError } from "../../src/config/config-error.ts";
import { ConfigStore, MAX_EFFECTIVE_NAMESPACES } from "../../src/config/config-store.ts";
import { MAX_CONFIGMAP_YAML_TOKENS, yamlTokensOver } from "../../src/config/load-config.ts";
import { captureLogs } from "../support/log-capture.ts";
import { configMap, exampleConfigMap, exampleSecret, secret } from "./load-examples.ts";

const capture = captureLogs;

describe("ConfigStore", () => {
  it("keeps the last good value of a broken key, reports, and recovers when fixed", () => {
    const { logger, lines } = capture();
    const reported: { errors: ConfigError[]; scope: string }[] = [];
    const store = new ConfigStore({ logger, onError: (errors, scope) => reported.push({ errors, scope }) });

    const ok = store.update(exampleConfigMap(), exampleSecret());
    expect(ok.errors).toEqual([]);
    expect(store.readiness()).toEqual({ ok: true, detail: [], warnings: [] });
    const goodSlack = store.current.services.slack;

    // a typo in service.slack and a broken trigger; template.rollout-aborted removed on purpose
    const broken = exampleConfigMap();
    broken.data!["service.slack"] = "tokn: $slack-token";
    broken.data!["trigger.on-rollout-degraded"] =
      "- when: rollout.status.phase ==\n  send: [rollout-degraded]";
    delete broken.data!["template.rollout-aborted"];
    broken.data!["template.new-one"] = "message: new";
    const r = store.update(broken, exampleSecret());

    expect(r.errors.map((e) => e.key).sort()).toEqual(["service.slack", "trigger.on-rollout-degraded"]);
    expect(r.keptLastGood.sort()).toEqual(["service.slack", "trigger.on-rollout-degraded"]);
    expect(store.current.services.slack).toBe(goodSlack);
    expect(store.current.triggers["on-rollout-degraded"]?.[0]?.when).toContain("Degraded");
    // the rest is the new version
    expect(store.current.templates["new-one"]).toBeDefined();
    expect(store.current.templates["rollout-aborted"]).toBeUndefined();

    expect(store.readiness().ok).toBe(false);
    expect(store.readiness().detail.join("\n")).toMatch(/key "service.slack \(token\)"/);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.scope).toBe("service");
    expect(lines.join("")).toContain("service.slack");
    expect(lines.join("")).not.toContain("xoxb-example-not-a-real-token");

    // still broken on the next version: still the last good one
    store.update(broken, exampleSecret());
    expect(store.current.services.slack).toBe(goodSlack);

    // fixed
    const fixed = store.update(exampleConfigMap(), exampleSecret());
    expect(fixed.errors).toEqual([]);
    expect(store.readiness()).toEqual({ ok: true, detail: [], warnings: [] });
    expect(store.current.templates["rollout-aborted"]).toBeDefined();
  });

  it("a Secret rotation that drops a referenced key keeps the old credentials", () => {
    const { logger } = capture();
    const store = new ConfigStore({ logger });
    store.update(configMap({ "service.slack": "token: $slack-token" }), secret({ "slack-token": "old" }));
    const r = store.update(configMap({ "service.slack": "token: $slack-token" }), secret({}));
    expect(r.errors[0]!.message).toContain('"$slack-token"');
    expect(store.current.services.slack).toMatchObject({ token: "old" });
    store.update(configMap({ "service.slack": "token: $slack-token" }), secret({ "slack-token": "new" }));
    expect(store.current.services.slack).toMatchObject({ token: "new" });
  });

  it("a broken key with no last good value is simply absent", () => {
    const { logger } = capture();
    const store = new ConfigStore({ logger });
    const r = store.update(configMap({ "service.slack": "token: 5" }), undefined);
    expect(r.keptLastGood).toEqual([]);
    expect(store.current.services.slack).toBeUndefined();
  });

  it("serves per-namespace effective configs and drops them with the namespace ConfigMap", () => {
    const { logger } = capture();
    const store = new ConfigStore({ logger });
    store.update(configMap({ "template.shared": "message: s" }), undefined);
    store.updateNamespace("team-a", configMap({ "template.mine": "message: a" }, "team-a"), undefined);
    expect(Object.keys(store.forNamespace("team-a").templates).sort()).toEqual(["mine", "shared"]);
    expect(Object.keys(store.forNamespace("team-b").templates)).toEqual(["shared"]);
    // a service-level update is seen by namespace views
    store.update(configMap({ "template.shared": "message: s2" }), undefined);
    expect(store.forNamespace("team-a").templates.shared?.message).toBe("s2");
    store.updateNamespace("team-a", undefined, undefined);
    expect(Object.keys(store.forNamespace("team-a").templates)).toEqual(["shared"]);
  });

  it("keeps the merged configs of the namespaces used most recently, not of every namespace ever seen", () => {
    const { logger } = capture();
    const store = new ConfigStore({ logger });
    store.update(configMap({ "template.shared": "message: s" }), undefined);
    store.updateNamespace("team-a", configMap({ "template.mine": "message: a" }, "team-a"), undefined);
    const teamA = store.forNamespace("team-a");
    // namespaces that come and go (one per pull request), with no central change meanwhile
    for (let i = 0; i < 3 * MAX_EFFECTIVE_NAMESPACES; i++) {
      expect(Object.keys(store.forNamespace(`preview-${i}`).templates)).toEqual(["shared"]);
      if (i % 100 === 0) expect(store.forNamespace("team-a")).toBe(teamA); // in use: kept
    }
    expect(store.effectiveCount).toBe(MAX_EFFECTIVE_NAMESPACES);
    expect(store.forNamespace("team-a")).toBe(teamA);
    // one forgotten is merged again, the same
    expect(Object.keys(store.forNamespace("preview-0").templates)).toEqual(["shared"]);
    expect(store.effectiveCount).toBe(MAX_EFFECTIVE_NAMESPACES);
  });

  it("a namespace's load with no rendering time left: templates left unchecked are errors, the last good kept", () => {
    const { logger } = capture();
    const store = new ConfigStore({ logger });
    const ok = store.updateNamespace(
      "team-a",
      configMap({ "template.mine": "message: v1" }, "team-a"),
      undefined,
      {
        renderShareMs: 1_000,
      },
    );
    expect(ok.errors).toEqual([]);
    expect(ok.renderShareUsedUp).toBeUndefined();
    const r = store.updateNamespace(
      "team-a",
      configMap({ "template.mine": "message: v2" }, "team-a"),
      undefined,
      {
        renderShareMs: 0,
      },
    );
    expect(r.renderShareUsedUp).toBe(true);
    expect(r.errors.map((e) => [e.key, e.message])).toEqual([
      [
        "template.mine",
        expect.stringMatching(/dry-render .*share of rendering time \(RENDER_SHARE_PERCENT\)/),
      ],
    ]);
    expect(r.keptLastGood).toEqual(["template.mine"]);
    expect(store.forNamespace("team-a").templates.mine?.message).toBe("v1");
  });

  it("a namespace ConfigMap with more YAML than any real config is refused whole, before parsing; the last good version stays", () => {
    const { logger, lines } = capture();
    const reported: string[] = [];
    const store = new ConfigStore({
      logger,
      onError: (errors) => reported.push(...errors.map((e) => e.key)),
    });
    const good = {
      "service.webhook.hook": "url: https://hooks.example.com/a",
      "template.mine": "message: v1",
      "trigger.on-mine": "- when: rollout.status.phase == 'Healthy'\n  send: [mine]",
    };
    expect(store.updateNamespace("team-a", configMap(good, "team-a"), undefined).errors).toEqual([]);

    // 1 MiB (a ConfigMap's limit) of a flow list: ~520,000 tokens, 1.5 s of the one thread to parse; and the
    // same split over many small keys (the bound is the ConfigMap's, not a key's)
    const flow = `[${"a,".repeat(520_000)}]`;
    const manyKeys = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [
        `template.t${i}`,
        `message: x\nslack: {a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}`,
      ]),
    );
    for (const data of [
      { ...good, "template.mine": `message: v2\nbig: ${flow}` },
      { ...good, ...manyKeys },
    ]) {
      const r = store.updateNamespace("team-a", configMap(data, "team-a"), undefined);
      expect(r.errors).toEqual([
        {
          source: "team-a/argo-rollouts-notification-configmap",
          key: "data",
          message: expect.stringMatching(
            /^more than 50000 YAML tokens in its values .*nothing of this version was loaded$/,
          ),
        },
      ]);
      expect(r.keptLastGood).toEqual(["data"]);
      // every key of the last good version is still in force
      const cfg = store.forNamespace("team-a");
      expect(cfg.templates.mine?.message).toBe("v1");
      expect(cfg.services.hook).toBeDefined();
      expect(cfg.triggers["on-mine"]).toHaveLength(1);
      expect(cfg.templates.t0).toBeUndefined();
      expect(store.readiness().detail).toEqual([
        expect.stringMatching(
          /^team-a\/argo-rollouts-notification-configmap key "data": more than 50000 YAML tokens/,
        ),
      ]);
    }
    expect(reported).toEqual(["data", "data"]);
    expect(lines.join("")).toContain("more than 50000 YAML tokens");

    // a first version that large loads nothing, and says so
    const fresh = store.updateNamespace("team-b", configMap({ "template.x": flow }, "team-b"), undefined);
    expect(fresh.keptLastGood).toEqual([]);
    expect(Object.keys(store.forNamespace("team-b").templates)).not.toContain("x");

    // fixed: the new version loads
    expect(
      store.updateNamespace(
        "team-a",
        configMap({ ...good, "template.mine": "message: v3" }, "team-a"),
        undefined,
      ).errors,
    ).toEqual([]);
    expect(store.forNamespace("team-a").templates.mine?.message).toBe("v3");
  });

  it("the YAML token bound leaves room: 100 copies of upstream's whole built-in catalog fit", async () => {
    const { readFileSync } = await import("node:fs");
    const { parseAllDocuments } = await import("yaml");
    const install = parseAllDocuments(
      readFileSync(new URL("../fixtures/argo-rollouts/notifications-install.yaml", import.meta.url), "utf8"),
    )
      .map((d) => d.toJS() as { kind?: string; data?: Record<string, string> })
      .find((o) => o?.kind === "ConfigMap")!;
    const values = Object.values(install.data!);
    expect(yamlTokensOver(values, 1_000)).toBeUndefined();
    const hundred = Array.from({ length: 100 }, () => values).flat();
    expect(yamlTokensOver(hundred, MAX_CONFIGMAP_YAML_TOKENS)).toBeUndefined();
    expect(yamlTokensOver(hundred, 20_000)).toBe(20_001);
  });

  it("keeps the warnings of the loaded version (readiness, onWarning, log) until a version without them", () => {
    const { logger, lines } = capture();
    const reported: { warnings: string[]; scope: string }[] = [];
    const store = new ConfigStore({
      logger,
      onWarning: (warnings, scope) => reported.push({ warnings, scope }),
    });
    store.update(
      configMap({
        "service.carrierpigeon": "queue: rollouts",
        "template.t": "message: a\nmessage: b",
      }),
      undefined,
    );
    const r = store.readiness();
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^argo-rollouts\/argo-rollouts-notification-configmap key "service\.carrierpigeon": service type "carrierpigeon" is not supported \(not a notifications-engine type\) \(supported: slack, .*\): notifications to "carrierpigeon" are not sent \(each one is reported as a problem\); see docs\/services\/README\.md$/,
      ),
      'argo-rollouts/argo-rollouts-notification-configmap key "template.t": duplicate key "message" (lines 1 and 2): the last value is used, as Argo Rollouts does',
    ]);
    expect(reported).toEqual([{ warnings: r.warnings, scope: "service" }]);
    expect(lines.filter((l) => l.includes('"level":40') && l.includes("service.carrierpigeon")).length).toBe(
      1,
    );
    store.update(configMap({ "template.t": "message: b" }), undefined);
    expect(store.readiness().warnings).toEqual([]);
    expect(reported.length).toBe(1);
  });
});
