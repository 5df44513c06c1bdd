import { describe, expect, it } from "vitest";
import { formatConfigError } from "../../src/config/config-error.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { PagerDutyServiceConfig } from "../../src/sinks/pagerduty/pagerduty-types.ts";
import { serviceTypeOf, UPSTREAM_TYPES_NOT_BUILT } from "../../src/sinks/registry.ts";
import type { SlackServiceConfig } from "../../src/sinks/slack/slack-types.ts";
import type { WebhookServiceConfig } from "../../src/sinks/webhook/webhook-types.ts";
import { configMap, exampleConfigMap, exampleSecret, secret, upstreamInstall } from "./load-examples.ts";

describe("loadNotifierConfig: upstream notifications-install.yaml", () => {
  it("loads unchanged with every template and trigger and no errors", () => {
    const { config, errors } = loadNotifierConfig(upstreamInstall(), undefined);
    expect(errors).toEqual([]);
    expect(Object.keys(config.templates).sort()).toEqual([
      "analysis-run-error",
      "analysis-run-failed",
      "analysis-run-running",
      "rollout-aborted",
      "rollout-completed",
      "rollout-paused",
      "rollout-step-completed",
      "rollout-updated",
      "scaling-replicaset",
    ]);
    // on-analysis-run-running is the upstream alias of on-analysis-run-started
    expect(Object.keys(config.triggers).sort()).toEqual([
      "on-analysis-run-error",
      "on-analysis-run-failed",
      "on-analysis-run-started",
      "on-rollout-aborted",
      "on-rollout-completed",
      "on-rollout-paused",
      "on-rollout-step-completed",
      "on-rollout-updated",
      "on-scaling-replica-set",
    ]);
    expect(config.triggers["on-analysis-run-started"]).toEqual([{ send: ["analysis-run-running"] }]);
    const t = config.templates["rollout-step-completed"]!;
    expect(t.message).toContain("{{ add .rollout.status.currentStepIndex 1}}");
    expect(t.slack?.attachments).toContain('"title": "Step completed"');
  });

  it("loads the email part of templates (email is a service type since issue 11; it was ignored before)", () => {
    const { warnings, config } = loadNotifierConfig(upstreamInstall(), undefined);
    expect(config.templates["rollout-completed"]?.email?.subject).toContain("has been completed");
    expect(warnings.some((w) => w.includes('"template.rollout-completed (email)"'))).toBe(false);
  });
});

describe("loadNotifierConfig: realistic example", () => {
  it("resolves $refs from the Secret (data base64 and stringData)", () => {
    const { config, errors } = loadNotifierConfig(exampleConfigMap(), exampleSecret());
    expect(errors).toEqual([]);
    const slack = config.services.slack as SlackServiceConfig;
    expect(slack).toMatchObject({
      type: "slack",
      name: "slack",
      token: "xoxb-example-not-a-real-token",
      icon: ":rocket:",
    });
    const pd = config.services.pagerdutyv2 as PagerDutyServiceConfig;
    expect(pd.serviceKeys).toEqual({ "payments-oncall": "example-routing-key-000000000000" });
    const hook = config.services["deploy-log"] as WebhookServiceConfig;
    expect(hook).toMatchObject({
      type: "webhook",
      name: "deploy-log",
      url: "https://deploy-log.example.com/api",
    });
    expect(hook.headers).toContainEqual({ name: "Authorization", value: "Bearer example-deploy-log-token" });
    expect(hook.tenantNamespace).toBeUndefined();
  });

  it("keeps template sources (Go templates) as strings, with slack and webhook parts", () => {
    const { config } = loadNotifierConfig(exampleConfigMap(), exampleSecret());
    const t = config.templates["rollout-completed"]!;
    expect(t.message).toBe(
      "Rollout {{.rollout.metadata.name}} has been completed in {{.context.environmentName}}.",
    );
    expect(t.slack?.deliveryPolicy).toBe("PostAndUpdate");
    expect(t.slack?.groupingKey).toContain("{{.rollout.metadata.uid}}");
    expect(t.webhook?.["deploy-log"]).toMatchObject({
      method: "POST",
      path: "/rollouts/{{.rollout.metadata.namespace}}/{{.rollout.metadata.name}}",
    });
    expect(config.templates["rollout-aborted"]?.pagerdutyv2).toMatchObject({ severity: "error" });
  });

  it("loads triggers, subscriptions with selectors, default triggers and context", () => {
    const { config } = loadNotifierConfig(exampleConfigMap(), exampleSecret());
    expect(config.triggers["on-rollout-degraded"]).toEqual([
      {
        description: "Rollout went Degraded",
        when: "rollout.status.phase == 'Degraded' and rollout.spec.paused != true",
        oncePer: "rollout.metadata.annotations['rollout.argoproj.io/revision']",
        send: ["rollout-degraded"],
      },
    ]);
    expect(config.subscriptions).toEqual([
      {
        recipients: ["pagerdutyv2:payments-oncall"],
        triggers: ["on-rollout-degraded", "on-rollout-aborted"],
        selector: "tier=critical,team in (payments,checkout)",
      },
      { recipients: ["deploy-log"], triggers: ["on-rollout-completed"] },
    ]);
    expect(config.defaultTriggers).toEqual(["on-rollout-completed", "on-rollout-aborted"]);
    expect(config.defaultTriggersByService).toEqual({
      pagerdutyv2: ["on-rollout-aborted", "on-rollout-degraded"],
    });
    expect(config.context).toEqual({
      environmentName: "production",
      argocdUrl: "https://argocd.example.com",
    });
  });

  it("accepts apiURL for Slack and PagerDuty", () => {
    const { config, errors } = loadNotifierConfig(
      configMap({
        "service.slack": "token: t\napiURL: http://127.0.0.1:9999/api/",
        "service.pagerdutyv2": "serviceKeys: {svc: k}\napiURL: http://127.0.0.1:9998",
      }),
      undefined,
    );
    expect(errors).toEqual([]);
    expect((config.services.slack as SlackServiceConfig).apiURL).toBe("http://127.0.0.1:9999/api/");
    expect((config.services.pagerdutyv2 as PagerDutyServiceConfig).apiURL).toBe("http://127.0.0.1:9998");
  });

  it("supports named services of any supported type (service.slack.<name>)", () => {
    const { config } = loadNotifierConfig(configMap({ "service.slack.workspace2": "token: t2" }), undefined);
    expect(config.services.workspace2).toMatchObject({ type: "slack", name: "workspace2", token: "t2" });
  });

  it("no ConfigMap is an empty config (built-in triggers still work), no error", () => {
    const r = loadNotifierConfig(undefined, undefined);
    expect(r.errors).toEqual([]);
    expect(r.config.services).toEqual({});
  });
});

describe("loadNotifierConfig: Go templates", () => {
  it("warns at load that a Slack mention helper renders empty here, naming key, field and line", () => {
    const { config, errors, warnings } = loadNotifierConfig(
      configMap({
        "template.m": 'message: |\n  hi\n  {{ slackUserByEmail "a@b.c" }} {{ .rollout.metadata.name }}',
      }),
      undefined,
    );
    expect(errors).toEqual([]);
    expect(config.templates.m).toBeDefined();
    expect(warnings).toContainEqual(
      expect.stringContaining('field "message" line 2: slackUserByEmail renders "" here'),
    );
  });
});

describe("loadNotifierConfig: validation errors name the key and lose nothing else", () => {
  const good = {
    "service.slack": "token: $slack-token",
    "template.ok": "message: hi",
    "trigger.on-rollout-completed": "- send: [ok]",
  };
  const cases: [string, Record<string, string>, { key: string; path?: string; match: RegExp }][] = [
    ["YAML syntax", { "template.bad": "message: [unclosed" }, { key: "template.bad", match: /invalid YAML/ }],
    [
      "missing slack token",
      { "service.slack.other": "username: x" },
      { key: "service.slack.other", path: "token", match: /expected string/ },
    ],
    [
      "bad webhook url",
      { "service.webhook.hook": "url: not a url" },
      { key: "service.webhook.hook", path: "url", match: /http\(s\) URL/ },
    ],
    [
      "Go template syntax error",
      { "template.g": "message: |\n  line one\n  {{ if .rollout.metadata.name }}no end" },
      { key: "template.g", path: "message", match: /Go template: line 2: unexpected EOF/ },
    ],
    [
      "Go template with an undefined function",
      { "template.g": "slack:\n  text: '{{ nosuch .rollout }}'" },
      { key: "template.g", path: "slack.text", match: /function "nosuch" not defined/ },
    ],
    [
      "bad deliveryPolicy",
      { "template.t": "slack:\n  deliveryPolicy: Sometimes" },
      { key: "template.t", path: "slack.deliveryPolicy", match: /Post/ },
    ],
    [
      "trigger not a list",
      { "trigger.on-x": "send: [ok]" },
      { key: "trigger.on-x", match: /non-empty YAML list/ },
    ],
    [
      "trigger without send",
      { "trigger.on-x": "- when: 'true'" },
      { key: "trigger.on-x", path: "[0].send", match: /./ },
    ],
    [
      "CEL syntax error",
      { "trigger.on-x": "- when: rollout.status.phase ==\n  send: [ok]" },
      { key: "trigger.on-x", path: "[0].when", match: /./ },
    ],
    [
      "unknown variable",
      { "trigger.on-x": "- when: app.status == 'x'\n  send: [ok]" },
      { key: "trigger.on-x", path: "[0].when", match: /Unknown variable: app/ },
    ],
    [
      "bad oncePer",
      { "trigger.on-x": "- when: 'true'\n  oncePer: rollout.(\n  send: [ok]" },
      { key: "trigger.on-x", path: "[0].oncePer", match: /./ },
    ],
    [
      "subscriptions selector",
      { subscriptions: "- recipients: [slack:a]\n  selector: 'app in (a'" },
      { key: "subscriptions", path: "[0].selector", match: /invalid label selector/ },
    ],
    [
      "subscriptions recipients",
      { subscriptions: "- triggers: [on-rollout-completed]" },
      { key: "subscriptions", path: "[0].recipients", match: /./ },
    ],
    [
      "defaultTriggers",
      { defaultTriggers: "a: b" },
      { key: "defaultTriggers", match: /list of trigger names/ },
    ],
    ["context", { context: "- a" }, { key: "context", match: /mapping/ }],
    [
      "bad service key",
      { "service.webhook.a.b": "url: http://x" },
      { key: "service.webhook.a.b", match: /service.<type>.<name>/ },
    ],
  ];

  for (const [name, data, want] of cases) {
    it(name, () => {
      const { config, errors } = loadNotifierConfig(
        configMap({ ...good, ...data }),
        secret({ "slack-token": "s3cr3t" }),
      );
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(e.key).toBe(want.key);
      const e = errors[0]!;
      if (want.path) expect(e.path).toBe(want.path);
      expect(e.message).toMatch(want.match);
      expect(formatConfigError(e)).toContain(`key "${want.key}`);
      expect(formatConfigError(e)).toContain("argo-rollouts/argo-rollouts-notification-configmap");
      // everything else still loaded
      expect(config.services.slack).toMatchObject({ token: "s3cr3t" });
      expect(config.templates.ok).toEqual({ name: "ok", message: "hi" });
      expect(config.triggers["on-rollout-completed"]).toEqual([{ send: ["ok"] }]);
    });
  }

  it("a broken subscriptions entry loses only that entry", () => {
    const { config, errors } = loadNotifierConfig(
      configMap({
        subscriptions: "- recipients: [slack:a]\n- recipients: 5\n- recipients: [slack:c]\n  selector: app=x",
      }),
      undefined,
    );
    expect(errors.map((e) => e.path)).toEqual(["[1].recipients"]);
    expect(config.subscriptions.map((s) => s.recipients)).toEqual([["slack:a"], ["slack:c"]]);
  });

  it("a missing $ref names the ref and the Secret, never a value", () => {
    const { config, errors } = loadNotifierConfig(
      configMap({
        "service.slack": "token: $slack-token",
        "service.webhook.hook":
          "url: https://example.com\nbasicAuth: {username: u, password: $hook-password}",
      }),
      secret({ "slack-token": "s3cr3t-value" }),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ key: "service.webhook.hook", path: "basicAuth.password" });
    expect(errors[0]!.message).toBe(
      'references "$hook-password" but Secret argo-rollouts/argo-rollouts-notification-secret has no such key',
    );
    expect(JSON.stringify(errors)).not.toContain("s3cr3t-value");
    expect(config.services.slack).toBeDefined();
    expect(config.services.hook).toBeUndefined();
  });

  it("a missing Secret is named in the error", () => {
    const { errors } = loadNotifierConfig(configMap({ "service.slack": "token: $slack-token" }), undefined);
    expect(errors[0]!.message).toContain(
      "Secret argo-rollouts/argo-rollouts-notification-secret does not exist",
    );
  });

  it("validation errors never echo resolved secret values", () => {
    const { errors } = loadNotifierConfig(
      configMap({ "service.webhook.hook": "url: $hook-url\ntimeoutMs: $timeout" }),
      secret({ "hook-url": "not-a-url-with-SECRET", timeout: "SECRET2" }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(["timeoutMs", "url"]);
    expect(JSON.stringify(errors)).not.toMatch(/SECRET/);
  });

  it("every service type of notifications-engine is built (its NewService switch, pkg/services/services.go)", () => {
    const upstream = [
      "awssqs",
      "email",
      "slack",
      "mattermost",
      "rocketchat",
      "grafana",
      "opsgenie",
      "webhook",
      "telegram",
      "github",
      "teams",
      "teams-workflows",
      "googlechat",
      "pushover",
      "alertmanager",
      "pagerduty",
      "pagerdutyv2",
      "newrelic",
      "webex",
      "nats",
      "gcppubsub",
    ];
    expect(upstream.filter((t) => serviceTypeOf(t) === undefined)).toEqual([]);
    expect(UPSTREAM_TYPES_NOT_BUILT).toEqual([]);
  });

  it("a service type that is not supported is rejected: a warning naming the type and the docs; other keys load", () => {
    // issue 11: never silently ignored (every notification to it is reported too: test/subscriptions)
    const { errors, warnings, config } = loadNotifierConfig(
      configMap({ "service.carrierpigeon": "token: x", "something.else": "x", "service.slack": "token: t" }),
      undefined,
    );
    expect(errors).toEqual([]);
    const w = warnings.find((x) => x.includes(`"service.carrierpigeon"`));
    expect(w).toMatch(/service type "carrierpigeon" is not supported/);
    expect(w).toContain("docs/services/README.md");
    expect(warnings.join("\n")).toMatch(/"something.else": unknown key ignored/);
    expect(Object.keys(config.services)).toEqual(["slack"]);
  });

  it("an unknown service type is said to be none of notifications-engine's", () => {
    const { warnings } = loadNotifierConfig(configMap({ "service.carrierpigeon": "x: 1" }), undefined);
    expect(warnings.join("\n")).toMatch(
      /service type "carrierpigeon" is not supported \(not a notifications-engine type\)/,
    );
  });

  it("two keys defining the same service name: the second is an error", () => {
    const { errors, config } = loadNotifierConfig(
      configMap({ "service.slack": "token: a", "service.webhook.slack": "url: https://x.example" }),
      undefined,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.key).toBe("service.webhook.slack");
    expect(config.services.slack?.type).toBe("slack");
  });

  it("warns when a trigger sends a template that is defined nowhere", () => {
    const { warnings } = loadNotifierConfig(
      configMap({ "trigger.on-rollout-paused": "- send: [nope]" }),
      undefined,
    );
    expect(warnings.join("\n")).toMatch(
      /trigger.on-rollout-paused \(\[0\].send\)": template "nope" is not defined/,
    );
  });
});

describe("loadNotifierConfig: as tolerant as Argo Rollouts, and louder", () => {
  const load = (
    data: Record<string, string>,
    secretData: Record<string, string> = { "slack-token": "s3cr3t" },
  ) => loadNotifierConfig(configMap(data), secret(secretData));

  it("a key repeated in one mapping: the last value wins (go-yaml v2, non-strict), with a warning and the lines", () => {
    const r = load({
      "service.slack": "token: $slack-token\nusername: first\nusername: second",
      "template.t": "message: one\nmessage: two",
    });
    expect(r.errors).toEqual([]);
    expect((r.config.services.slack as SlackServiceConfig).username).toBe("second");
    expect(r.config.templates.t?.message).toBe("two");
    expect(r.warnings).toContain(
      'argo-rollouts/argo-rollouts-notification-configmap key "service.slack": duplicate key "username" (lines 2 and 3): the last value is used, as Argo Rollouts does',
    );
    expect(
      r.warnings.some((w) => w.includes('key "template.t": duplicate key "message" (lines 1 and 2)')),
    ).toBe(true);
  });

  it("an empty Secret value is substituted as an empty string: the service loads, with a warning", () => {
    const r = load(
      {
        "service.slack": "token: $slack-token",
        "service.pagerdutyv2": "serviceKeys:\n  payments: $pd-key",
      },
      { "slack-token": "", "pd-key": "" },
    );
    expect(r.errors).toEqual([]);
    expect(r.config.services.slack).toMatchObject({ type: "slack", token: "" });
    expect((r.config.services.pagerdutyv2 as PagerDutyServiceConfig).serviceKeys).toEqual({ payments: "" });
    expect(r.warnings).toContain(
      'argo-rollouts/argo-rollouts-notification-configmap key "service.slack (token)": references "$slack-token", which is empty in Secret argo-rollouts/argo-rollouts-notification-secret: substituted as an empty string, as Argo Rollouts does',
    );
    expect(r.warnings.some((w) => w.includes('"service.pagerdutyv2 (serviceKeys.payments)"'))).toBe(true);
  });

  it("a subscription recipient written as a mapping (argo-rollouts#2686) reads as service:recipient, with a warning", () => {
    const r = load({
      subscriptions:
        "- recipients:\n  - slack: my-channel\n  - slack:other\n  triggers:\n  - on-rollout-completed",
    });
    expect(r.errors).toEqual([]);
    expect(r.config.subscriptions).toEqual([
      { recipients: ["slack:my-channel", "slack:other"], triggers: ["on-rollout-completed"] },
    ]);
    expect(r.warnings).toContain(
      'argo-rollouts/argo-rollouts-notification-configmap key "subscriptions ([0].recipients[0])": recipient written as a mapping; read as "slack:my-channel" (Argo Rollouts rejects this form and then loads none of the ConfigMap: write "slack:my-channel")',
    );
  });

  it("a recipient mapping whose value is not a string is still an error on that entry", () => {
    const r = load({ subscriptions: "- recipients:\n  - slack: [a, b]" });
    expect(r.errors.map((e) => [e.key, e.path])).toEqual([["subscriptions", "[0].recipients"]]);
  });

  it("a custom trigger condition without `when` loads (it never fires, as upstream) with a warning", () => {
    const r = load({ "template.ok": "message: hi", "trigger.on-x": "- send: [ok]" });
    expect(r.errors).toEqual([]);
    expect(r.config.triggers["on-x"]).toEqual([{ send: ["ok"] }]);
    expect(r.warnings).toContain(
      'argo-rollouts/argo-rollouts-notification-configmap key "trigger.on-x ([0].when)": a custom trigger condition without `when` never fires (as in Argo Rollouts)',
    );
  });

  it("`when`/`oncePer` on a built-in trigger: one warning per trigger key naming the difference", () => {
    const r = load({
      "template.done": "message: done",
      "trigger.on-rollout-completed":
        "- when: rollout.status.phase == 'Healthy'\n  send: [done]\n- when: rollout.status.phase == 'Degraded'\n  oncePer: rollout.metadata.generation\n  send: [done]",
      "trigger.on-rollout-paused": "- send: [done]",
      "trigger.on-x": "- when: 'true'\n  send: [done]",
    });
    expect(r.errors).toEqual([]);
    const said = r.warnings.filter((w) => w.includes("on a built-in trigger differ from Argo Rollouts"));
    expect(said).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "trigger.on-rollout-completed": `when`/`oncePer` on a built-in trigger differ from Argo Rollouts: a condition that turns false and true again within a revision is not sent again (upstream\'s condition path re-sends it), and `oncePer` also limits the event path — see docs/migrating.md#triggers-and-conditions-where-the-service-differs-from-argo-rollouts',
    ]);
  });

  it("a subscriptions/defaultTriggers entry naming a built-in trigger the ConfigMap does not define is a warning naming both", () => {
    const r = load({
      "service.slack": "token: $slack-token",
      subscriptions: "- recipients: [slack:deploys]\n  triggers: [on-rollout-completed, on-x]",
      defaultTriggers: "- on-rollout-aborted",
      "template.t": "message: hi",
      "trigger.on-x": "- when: 'true'\n  send: [t]",
    });
    expect(r.errors).toEqual([]);
    const said = r.warnings.filter((w) => w.includes("not defined in this ConfigMap"));
    expect(said).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "defaultTriggers": built-in trigger(s) not defined in this ConfigMap: "on-rollout-aborted": Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates',
      'argo-rollouts/argo-rollouts-notification-configmap key "subscriptions ([0].triggers)": built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates',
    ]);
  });

  it("an alertmanager service with a built-in trigger's templates lacking an alertmanager part is a warning (upstream's send fails)", () => {
    const r = load({
      "service.alertmanager": "targets: [am:9093]",
      "template.plain": "message: hi",
      "template.alert": "message: hi\nalertmanager:\n  labels:\n    alertname: X",
      "trigger.on-rollout-completed": "- send: [plain]",
      "trigger.on-rollout-aborted": "- send: [plain, alert]",
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.includes('key "service.alertmanager"'))).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "service.alertmanager": the templates of on-rollout-completed have no alertmanager part: Argo Rollouts\' alertmanager service fails to send them ("notification alertmanager no config"), nothing is sent; here each trigger\'s built-in alertmanager part is sent instead',
    ]);
  });

  it("a webhook that a built-in trigger's `webhook.<name>` sections do not name, when they name no configured webhook, is a warning (upstream sends a GET with the message)", () => {
    const r = load({
      "service.webhook": "url: http://hooks.example.com/rollouts",
      "service.webhook.deploy-log": "url: https://log.example.com",
      // a section for an unconfigured webhook only (as in mrthehavok/k8s-observable-rollouts): said for both
      "template.completed": "webhook:\n  rollouts:\n    method: POST\n    body: x",
      // no webhook section at all: the documented built-in fallback, not said
      "template.plain": "message: hi",
      // a section for another configured webhook (one template per webhook): not said
      "template.logged": "webhook:\n  deploy-log:\n    body: y",
      "trigger.on-rollout-completed": "- send: [completed]",
      "trigger.on-rollout-aborted": "- send: [plain]",
      "trigger.on-rollout-updated": "- send: [logged]",
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.includes('key "service.webhook')).sort()).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "service.webhook": the templates of on-rollout-completed have no webhook part for "webhook": Argo Rollouts\' webhook service sends a GET request to the service URL with the template\'s `message` as its body (empty without one); here each trigger\'s built-in webhook part is sent instead',
      'argo-rollouts/argo-rollouts-notification-configmap key "service.webhook.deploy-log": the templates of on-rollout-completed have no webhook part for "deploy-log": Argo Rollouts\' webhook service sends a GET request to the service URL with the template\'s `message` as its body (empty without one); here each trigger\'s built-in webhook part is sent instead',
    ]);
  });

  it("`analysisRun` (this service's variable, nil in Argo Rollouts) in a template or a condition is a warning; so is `context` in a condition", () => {
    const r = load({
      "template.failed": "message: |\n  {{.rollout.metadata.name}}: {{.analysisRun.status.message}}",
      "trigger.on-analysis-run-failed": "- when: analysisRun.status.phase == 'Failed'\n  send: [failed]",
      "trigger.on-x": "- when: context.env == 'prod'\n  send: [failed]",
      context: "env: prod",
    });
    expect(r.errors).toEqual([]);
    const said = r.warnings.filter((w) => w.includes("no `analysisRun`") || w.includes("no `context`"));
    expect(said).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "template.failed (message)": .analysisRun.status.message (line 1): Argo Rollouts has no `analysisRun` variable (its AnalysisRun events are sent with `rollout` and `analysisRuns` only), so there this prints "<no value>"; here it is the field of the run of an on-analysis-run-* trigger',
      'argo-rollouts/argo-rollouts-notification-configmap key "trigger.on-analysis-run-failed ([0].when)": Argo Rollouts has no `analysisRun` variable: there it is nil, so a field of it fails the condition (false: nothing is sent) and `analysisRun == nil` holds; here it is the run of an on-analysis-run-* trigger',
      'argo-rollouts/argo-rollouts-notification-configmap key "trigger.on-x ([0].when)": Argo Rollouts has no `context` variable in conditions: there it is nil, so a field of it fails the condition (false: nothing is sent); here it is this service\'s `context` key',
    ]);
  });

  it("a template reading `.app.…` (an Argo CD template) is a warning; `.context.…` is this service's own key", () => {
    const r = load({
      "template.t": "message: |\n  {{.app.metadata.name}} at {{.context.argocdUrl}}",
      context: "argocdUrl: https://cd.example.com",
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      'argo-rollouts/argo-rollouts-notification-configmap key "template.t (message)": .app.metadata.name (line 1): `app` is not a template variable here nor in Argo Rollouts (an Argo CD template?): it prints "<no value>", there as here (a field of a missing variable is missing too)',
    ]);
  });
});
