import { describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { NotifierConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { MAX_SUBSCRIPTIONS_YAML_CHARS } from "../../src/subscriptions/annotation-subscriptions.ts";
import { createOncePerObjectReporter } from "../../src/subscriptions/problem-reporter.ts";
import { resolveDestinations } from "../../src/subscriptions/resolve-destinations.ts";
import {
  configMap,
  exampleConfigMap,
  exampleNamespace,
  exampleRollout,
  exampleSecret,
} from "../config/load-examples.ts";

const P = "notifications.argoproj.io";

function cfg(data: Record<string, string>): NotifierConfig {
  const r = loadNotifierConfig(
    configMap({
      "service.slack": "token: t",
      "service.webhook.hook": "url: https://hook.example",
      "service.pagerdutyv2": "serviceKeys: {oncall: k}",
      ...data,
    }),
    undefined,
  );
  expect(r.errors).toEqual([]);
  return r.config;
}

function rollout(annotations: Record<string, string>, labels: Record<string, string> = {}): KubeObject {
  return { kind: "Rollout", metadata: { name: "web", namespace: "shop", uid: "uid-1", annotations, labels } };
}

describe("resolveDestinations", () => {
  it("subscribe.<trigger>.<service>: recipients split on ';', trimmed, empty ignored", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({ [`${P}/subscribe.on-rollout-completed.slack`]: " a ; ;b;" }),
      config: cfg({}),
    });
    expect(r).toEqual({
      destinations: [
        { service: "slack", recipient: "a" },
        { service: "slack", recipient: "b" },
      ],
      problems: [],
    });
  });

  it("an empty value is one empty recipient (webhooks)", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({ [`${P}/subscribe.on-rollout-completed.hook`]: "" }),
      config: cfg({}),
    });
    expect(r.destinations).toEqual([{ service: "hook", recipient: "" }]);
  });

  it("subscribe.<service> uses defaultTriggers.<service>, then defaultTriggers, then built-ins but opt-ins", () => {
    const annotations = { [`${P}/subscribe.slack`]: "chan" };
    const run = (trigger: string, config: NotifierConfig) =>
      resolveDestinations({ trigger, rollout: rollout(annotations), config }).destinations.length;
    const none = cfg({});
    expect(run("on-rollout-completed", none)).toBe(1);
    expect(run("on-analysis-run-failed", none)).toBe(1);
    expect(run("on-scaling-replica-set", none)).toBe(0); // opt-in only
    const withDefaults = cfg({ defaultTriggers: "[on-rollout-aborted]" });
    expect(run("on-rollout-completed", withDefaults)).toBe(0);
    expect(run("on-rollout-aborted", withDefaults)).toBe(1);
    const perService = cfg({
      defaultTriggers: "[on-rollout-aborted]",
      "defaultTriggers.slack": "[on-rollout-paused]",
    });
    expect(run("on-rollout-aborted", perService)).toBe(0);
    expect(run("on-rollout-paused", perService)).toBe(1);
  });

  it("the subscriptions YAML annotation (notifications-engine shape)", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-aborted",
      rollout: rollout({
        [`${P}/subscriptions`]: [
          "- trigger: [on-rollout-aborted, on-rollout-completed]",
          "  destinations:",
          "    - service: slack",
          "      recipients: [x, y]",
          "    - service: pagerdutyv2",
          "      recipients: [oncall]",
          "- trigger: on-rollout-paused",
          "  destinations: [{service: slack, recipients: [z]}]",
        ].join("\n"),
      }),
      config: cfg({}),
    });
    expect(r.problems).toEqual([]);
    expect(r.destinations).toEqual([
      { service: "slack", recipient: "x" },
      { service: "slack", recipient: "y" },
      { service: "pagerdutyv2", recipient: "oncall" },
    ]);
  });

  it("namespace annotations apply to every Rollout in it; duplicates across sources are one destination", () => {
    const namespace: KubeObject = {
      kind: "Namespace",
      metadata: {
        name: "shop",
        annotations: { [`${P}/subscribe.on-rollout-completed.slack`]: "team;shared" },
      },
    };
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({ [`${P}/subscribe.on-rollout-completed.slack`]: "shared;mine" }),
      namespace,
      config: cfg({
        subscriptions: "- recipients: [slack:team, slack:global]\n  triggers: [on-rollout-completed]",
      }),
    });
    expect(r.destinations).toEqual([
      { service: "slack", recipient: "shared" },
      { service: "slack", recipient: "mine" },
      { service: "slack", recipient: "team" },
      { service: "slack", recipient: "global" },
    ]);
  });

  it("ConfigMap subscriptions match by label selector (standard syntax)", () => {
    const config = cfg({
      subscriptions: [
        "- recipients: [slack:critical]",
        "  triggers: [on-rollout-aborted]",
        "  selector: tier=critical,team in (payments,checkout),!experimental",
        "- recipients: [hook]",
        "  triggers: [on-rollout-aborted]",
        "  selector: tier!=critical",
      ].join("\n"),
    });
    const run = (labels: Record<string, string>) =>
      resolveDestinations({ trigger: "on-rollout-aborted", rollout: rollout({}, labels), config })
        .destinations;
    expect(run({ tier: "critical", team: "payments" })).toEqual([
      { service: "slack", recipient: "critical" },
    ]);
    expect(run({ tier: "critical", team: "payments", experimental: "yes" })).toEqual([]);
    expect(run({ tier: "critical", team: "search" })).toEqual([]);
    expect(run({})).toEqual([{ service: "hook", recipient: "" }]);
  });

  it("trigger aliases: on-analysis-run-running is on-analysis-run-started", () => {
    const config = cfg({});
    const viaAlias = resolveDestinations({
      trigger: "on-analysis-run-started",
      rollout: rollout({ [`${P}/subscribe.on-analysis-run-running.slack`]: "a" }),
      config,
    });
    expect(viaAlias.destinations).toEqual([{ service: "slack", recipient: "a" }]);
    const askedByAlias = resolveDestinations({
      trigger: "on-analysis-run-running",
      rollout: rollout({ [`${P}/subscribe.on-analysis-run-started.slack`]: "b" }),
      config,
    });
    expect(askedByAlias.destinations).toEqual([{ service: "slack", recipient: "b" }]);
  });

  it("custom triggers from config can be subscribed", () => {
    const r = resolveDestinations({
      trigger: "on-degraded",
      rollout: rollout({ [`${P}/subscribe.on-degraded.slack`]: "a" }),
      config: cfg({
        "trigger.on-degraded": "- when: rollout.status.phase == 'Degraded'\n  send: [t]",
        "template.t": "message: x",
      }),
    });
    expect(r).toEqual({ destinations: [{ service: "slack", recipient: "a" }], problems: [] });
  });

  it("unknown services and triggers are problems, whatever the trigger asked", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscribe.on-rollout-completed.teams`]: "x",
        [`${P}/subscribe.on-rollout-complete.slack`]: "typo",
        [`${P}/subscribe.on-rollout-completed.slack`]: "ok",
        [`${P}/subscribe.on-rollout-completed.pagerdutyv2`]: "unknown-pd-service",
      }),
      config: cfg({}),
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "ok" }]);
    expect(r.problems).toEqual([
      {
        source: `Rollout shop/web annotation "${P}/subscribe.on-rollout-complete.slack"`,
        message: 'trigger "on-rollout-complete" is not a built-in trigger nor configured',
      },
      {
        source: `Rollout shop/web annotation "${P}/subscribe.on-rollout-completed.pagerdutyv2"`,
        message: 'service "pagerdutyv2" has no serviceKeys entry for "unknown-pd-service"',
      },
      {
        source: `Rollout shop/web annotation "${P}/subscribe.on-rollout-completed.teams"`,
        message: 'service "teams" is not configured',
      },
    ]);
  });

  it("a malformed annotation is a problem for that annotation only", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscriptions`]: "- trigger: [on-rollout-completed\n  destinations: {",
        [`${P}/subscribe.on-rollout-completed.slack`]: "still-works",
        [`${P}/subscribe.a.b.c`]: "x",
      }),
      config: cfg({}),
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "still-works" }]);
    expect(r.problems.map((p) => p.source)).toEqual([
      `Rollout shop/web annotation "${P}/subscribe.a.b.c"`,
      `Rollout shop/web annotation "${P}/subscriptions"`,
    ]);
    expect(r.problems[1]!.message).toMatch(/invalid YAML/);
  });

  it("a subscriptions annotation longer than 16 KiB is not read (a problem); one of nested brackets is a YAML problem", () => {
    const long = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscriptions`]: `# ${"x".repeat(MAX_SUBSCRIPTIONS_YAML_CHARS)}\n- trigger: on-rollout-completed\n  destinations: [{service: slack, recipients: [no]}]`,
        [`${P}/subscribe.on-rollout-completed.slack`]: "still-works",
      }),
      config: cfg({}),
    });
    expect(long.destinations).toEqual([{ service: "slack", recipient: "still-works" }]);
    expect(long.problems.map((p) => p.message)).toEqual([
      "longer than 16384 characters: not read (a subscription list is a few hundred)",
    ]);
    // 16,000 nested brackets (a second of the parser at 200,000): a problem, the same each time it is read
    const nested = rollout({ [`${P}/subscriptions`]: "[".repeat(16_000) });
    const read = () =>
      resolveDestinations({ trigger: "on-rollout-completed", rollout: nested, config: cfg({}) }).problems.map(
        (p) => p.message,
      );
    const first = read();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^invalid YAML/);
    expect(read()).toEqual(first);
  });

  it("a malformed entry of the YAML annotation loses only that entry", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscriptions`]:
          "- trigger: [on-rollout-completed]\n  destinations: 5\n- trigger: on-rollout-completed\n  destinations: [{service: slack, recipients: [ok]}]",
      }),
      config: cfg({}),
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "ok" }]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.source).toContain("[0]");
  });

  it("honours a custom annotation prefix", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        "notify.example.com/subscribe.on-rollout-completed.slack": "a",
        [`${P}/subscribe.slack`]: "b",
      }),
      config: cfg({}),
      annotationPrefix: "notify.example.com",
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "a" }]);
  });

  it("routes the example Rollout through all forms with the example configs", () => {
    const config = loadNotifierConfig(exampleConfigMap(), exampleSecret()).config;
    const route = (trigger: string) =>
      resolveDestinations({ trigger, rollout: exampleRollout(), namespace: exampleNamespace(), config })
        .destinations;
    expect(route("on-rollout-aborted")).toEqual([
      { service: "slack", recipient: "payments-alerts" },
      { service: "slack", recipient: "checkout-team" },
      { service: "pagerdutyv2", recipient: "payments-oncall" },
    ]);
    expect(route("on-rollout-completed")).toEqual([
      { service: "slack", recipient: "checkout-team" },
      { service: "slack", recipient: "payments-deploys" },
      { service: "slack", recipient: "payments-alerts" },
      { service: "deploy-log", recipient: "" },
    ]);
  });
});

describe("createOncePerObjectReporter", () => {
  it("reports each distinct problem once per object; again after it was fixed and came back", () => {
    const seen: string[] = [];
    const reporter = createOncePerObjectReporter((uid, p) => seen.push(`${uid}: ${p.message}`));
    const config = cfg({});
    const bad = rollout({ [`${P}/subscribe.on-rollout-completed.teams`]: "x" });
    for (let i = 0; i < 5; i++) {
      const { problems } = resolveDestinations({ trigger: "on-rollout-completed", rollout: bad, config });
      reporter.report("uid-1", problems);
    }
    reporter.report(
      "uid-2",
      resolveDestinations({ trigger: "on-rollout-paused", rollout: bad, config }).problems,
    );
    expect(seen).toEqual([
      'uid-1: service "teams" is not configured',
      'uid-2: service "teams" is not configured',
    ]);

    reporter.report("uid-1", []); // fixed
    reporter.report(
      "uid-1",
      resolveDestinations({ trigger: "on-rollout-completed", rollout: bad, config }).problems,
    );
    expect(seen).toHaveLength(3);
    reporter.forget("uid-2");
    expect(reporter.size).toBe(1);
  });

  it("stays bounded", () => {
    const reporter = createOncePerObjectReporter(() => {}, { maxObjects: 3 });
    for (let i = 0; i < 10; i++) reporter.report(`u${i}`, [{ source: "s", message: "m" }]);
    expect(reporter.size).toBe(3);
  });
});
