// replay --dry-run through the library: the example histories with the upstream-format example ConfigMap
// (Go templates, Secret $refs, Rollout and Namespace annotations, label-selected subscriptions) give exactly the
// expected notifications per destination; broken config, templates and annotations lose only their own
// notifications; ConfigMaps in the history reload the config; custom triggers fire from their `when`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { ReplayItem } from "../../src/replay/parse-documents.ts";
import { exampleConfigMap } from "../config/load-examples.ts";
import {
  annotatedHistory,
  DEPLOY_LOG_TOKEN,
  exampleConfig,
  PD_KEY,
  type ReplayRun,
  replay,
  SLACK_TOKEN,
  testSecret,
} from "./replay-kit.ts";

/** (trigger template) per "service:recipient", in order. */
const EXPECTED: Record<string, [string, Record<string, string[]>]> = {
  "canary-abort-retry.yaml": [
    "demo",
    {
      "slack:deploys": [
        "on-rollout-completed rollout-completed",
        "on-rollout-aborted rollout-aborted",
        "on-rollout-completed rollout-completed",
      ],
      "slack:alerts": ["on-rollout-aborted rollout-aborted"],
      // the example's custom trigger: Degraded (after the abort) and spec.paused != true (absent: nil != true)
      "pagerdutyv2:payments-oncall": [
        "on-rollout-aborted rollout-aborted",
        "on-rollout-degraded rollout-degraded",
      ],
      "deploy-log:": ["on-rollout-completed rollout-completed", "on-rollout-completed rollout-completed"],
    },
  ],
  "bluegreen-auto-promote.yaml": [
    "demo",
    {
      "slack:deploys": ["on-rollout-completed rollout-completed", "on-rollout-completed rollout-completed"],
      "deploy-log:": ["on-rollout-completed rollout-completed", "on-rollout-completed rollout-completed"],
    },
  ],
  "canary-analysis-failure.yaml": [
    "default",
    {
      "slack:deploys": ["on-rollout-aborted rollout-aborted", "on-rollout-completed rollout-completed"],
      "slack:alerts": ["on-rollout-aborted rollout-aborted"],
      "pagerdutyv2:payments-oncall": [
        "on-rollout-aborted rollout-aborted",
        "on-rollout-degraded rollout-degraded",
      ],
      "deploy-log:": ["on-rollout-completed rollout-completed"],
    },
  ],
  "canary-experiment-analysis.yaml": [
    "jesse-test",
    {
      "slack:deploys": ["on-rollout-completed rollout-completed"],
      "deploy-log:": ["on-rollout-completed rollout-completed"],
    },
  ],
};

function byDestination(r: ReplayRun): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of r.lines) {
    const key = `${l.service}:${l.recipient}`;
    out[key] = [...(out[key] ?? []), `${l.trigger} ${(l.templates as string[]).join(",")}`];
  }
  return out;
}

function checkPayload(line: Record<string, unknown>): void {
  const n = line.notification as Record<string, unknown> & { type: string };
  expect(n.type).toBe(line.service === "deploy-log" ? "webhook" : line.service);
  if (n.type === "slack") {
    const post = n.postMessage as { channel: string; text: string; blocks?: unknown; attachments?: unknown };
    expect(post.channel).toBe(line.recipient);
    expect(post.text.length).toBeGreaterThan(0);
    expect(post.text.length).toBeLessThanOrEqual(40_000);
    if (post.blocks !== undefined) {
      expect(Array.isArray(post.blocks)).toBe(true);
      expect((post.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    }
    expect(Array.isArray(post.attachments)).toBe(true);
    for (const a of post.attachments as Record<string, unknown>[]) {
      expect(typeof a).toBe("object");
      if (a.blocks !== undefined) expect((a.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    }
  } else if (n.type === "pagerdutyv2") {
    const e = n.event as Record<string, unknown> & { payload: Record<string, string> };
    expect(e.routing_key).toBe("[redacted]");
    expect(["trigger", "acknowledge", "resolve"]).toContain(e.event_action);
    expect(typeof e.dedup_key).toBe("string");
    expect((e.dedup_key as string).length).toBeLessThanOrEqual(255);
    if (e.event_action === "trigger") {
      expect(["critical", "error", "warning", "info"]).toContain(e.payload.severity);
      expect(e.payload.summary?.length).toBeGreaterThan(0);
      expect(e.payload.summary?.length).toBeLessThanOrEqual(1024);
    }
  } else {
    expect(n.method).toBe("POST");
    expect(() => JSON.parse(n.body as string)).not.toThrow();
    expect((n.headers as Record<string, string>).authorization).toBe("[redacted]");
  }
}

function expectNoSecrets(text: string): void {
  for (const s of [SLACK_TOKEN, PD_KEY, DEPLOY_LOG_TOKEN, "example-ci-token"]) expect(text).not.toContain(s);
}

const doc = (input: KubeObject, index = "x"): ReplayItem => ({ ok: true, index, line: 1, input });

describe("replay --dry-run with the upstream-format example config", () => {
  it.each(Object.entries(EXPECTED))(
    "%s: exactly the expected notifications per destination",
    async (file, [ns, expected]) => {
      const r = await replay({
        items: annotatedHistory(file, ns),
        configObjects: exampleConfig(),
        mode: "dry-run",
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(byDestination(r)).toEqual(expected);
      for (const l of r.lines) {
        expect(Object.keys(l)).toEqual([
          "trigger",
          "kind",
          "namespace",
          "name",
          "service",
          "recipient",
          "templates",
          "notification",
        ]);
        checkPayload(l);
      }
      expectNoSecrets(r.stdout + r.stderr);
    },
  );

  it("renders the Go templates of the ConfigMap (context, range over containers, webhook path and body)", async () => {
    const r = await replay({
      items: annotatedHistory("canary-analysis-failure.yaml", "default"),
      configObjects: exampleConfig(),
      mode: "dry-run",
    });
    const completed = r.lines.find((l) => l.trigger === "on-rollout-completed" && l.service === "slack")!;
    const post = (
      completed.notification as { postMessage: { text: string; attachments: Record<string, unknown>[] } }
    ).postMessage;
    expect(post.text).toBe("Rollout rollout-background-analysis has been completed in production.");
    expect(post.attachments[0]).toMatchObject({
      title: "rollout-background-analysis",
      fields: [
        { title: "Strategy", value: "Canary" },
        { title: "rollouts-demo", value: "argoproj/rollouts-demo:green" },
      ],
    });
    const hook = r.lines.find((l) => l.service === "deploy-log")!.notification as {
      url: string;
      body: string;
    };
    expect(hook.url).toBe("https://deploy-log.example.com/api/rollouts/default/rollout-background-analysis");
    expect(JSON.parse(hook.body)).toEqual({ rollout: "rollout-background-analysis", event: "completed" });
    const page = r.lines.find((l) => l.service === "pagerdutyv2")!.notification as {
      event: { event_action: string; payload: Record<string, string> };
    };
    expect(page.event.event_action).toBe("trigger");
    expect(page.event.payload).toMatchObject({
      summary: "Rollout default/rollout-background-analysis aborted",
      severity: "error",
      component: "default",
    });
  });
});

describe("problems lose only their own notifications", () => {
  const base = EXPECTED["canary-analysis-failure.yaml"]![1];
  const run = (
    configObjects: KubeObject[],
    items = annotatedHistory("canary-analysis-failure.yaml", "default"),
  ) => replay({ items, configObjects, mode: "dry-run" });

  it("a template that renders broken JSON: an error naming the template; the same template for other services and the other templates still render", async () => {
    const cm = exampleConfigMap();
    cm.data!["template.rollout-completed"] = cm.data!["template.rollout-completed"]!.replace(
      '"color": "#18be52",',
      '"color": "#18be52" BROKEN',
    );
    const r = await run([cm, testSecret()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Rollout\/default\/rollout-background-analysis → slack:deploys \(template\): .*rollout-completed/,
    );
    const got = byDestination(r);
    expect(got).toEqual({ ...base, "slack:deploys": ["on-rollout-aborted rollout-aborted"] });
  });

  it("a broken annotation: an error naming the Rollout and annotation; Namespace and ConfigMap subscriptions still work", async () => {
    const items = annotatedHistory("canary-analysis-failure.yaml", "default").map((i) => {
      if (!i.ok) return i;
      const obj = "object" in i.input && !("metadata" in i.input) ? i.input.object : (i.input as KubeObject);
      if (obj.kind === "Rollout")
        obj.metadata.annotations!["notifications.argoproj.io/subscriptions"] = "- [broken";
      return i;
    });
    const r = await run(exampleConfig(), items);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Rollout\/default\/rollout-background-analysis.*notifications\.argoproj\.io\/subscriptions/,
    );
    expect(byDestination(r)).toEqual(base);
  });

  it("a broken ConfigMap key (subscriptions): named; only the subscriptions it held are lost", async () => {
    const cm = exampleConfigMap();
    cm.data!.subscriptions = "- recipients: [unclosed\n";
    const r = await run([cm, testSecret()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key "subscriptions/);
    const { "pagerdutyv2:payments-oncall": _pd, "deploy-log:": _log, ...rest } = base;
    expect(byDestination(r)).toEqual(rest);
  });

  it("tenant isolation: a namespace's self-service service serves only its own Rollouts", async () => {
    const tenantCm: KubeObject = {
      kind: "ConfigMap",
      metadata: { name: "argo-rollouts-notification-configmap", namespace: "team-b" },
      data: { "service.webhook.team-b-hook": "url: https://team-b.example.com/hook\nbearerToken: $token\n" },
    };
    const tenantSecret: KubeObject = {
      kind: "Secret",
      metadata: { name: "argo-rollouts-notification-secret", namespace: "team-b" },
      stringData: { token: "team-b-secret-token" },
    };
    const items = annotatedHistory("canary-analysis-failure.yaml", "default").map((i) => {
      if (!i.ok) return i;
      const obj = "object" in i.input && !("metadata" in i.input) ? i.input.object : (i.input as KubeObject);
      if (obj.kind === "Rollout")
        obj.metadata.annotations!["notifications.argoproj.io/subscribe.on-rollout-completed.team-b-hook"] =
          "";
      return i;
    });
    // the tenant's config appears in the history (as the live service would see it)
    const r = await run(exampleConfig(), [doc(tenantSecret, "t1"), doc(tenantCm, "t2"), ...items]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Rollout\/default\/rollout-background-analysis.*annotation "notifications\.argoproj\.io\/subscribe\.on-rollout-completed\.team-b-hook": service "team-b-hook" is not configured/,
    );
    expect(byDestination(r)).toEqual(base);
    expect(r.stdout + r.stderr).not.toContain("team-b-secret-token");
  });
});

describe("config and custom triggers during a replay", () => {
  it("a ConfigMap in the history reloads the config from that point on", async () => {
    const items = annotatedHistory("canary-analysis-failure.yaml", "default");
    const cm = exampleConfigMap();
    cm.data!.defaultTriggers = "- on-rollout-completed\n- on-rollout-aborted\n- on-rollout-updated\n";
    // after revision 2 was aborted, before revision 3 starts
    const at = items.findIndex(
      (i) => i.ok && JSON.stringify(i.input).includes('"rollout.argoproj.io/revision":"3"'),
    );
    const r = await replay({
      items: [...items.slice(0, at), doc(cm, "cm"), ...items.slice(at)],
      configObjects: exampleConfig(),
      mode: "dry-run",
    });
    // the new defaultTriggers entry names a built-in trigger the ConfigMap does not define: said at that reload
    expect(r.stderr).toBe(
      'warning: argo-rollouts/argo-rollouts-notification-configmap key "defaultTriggers": built-in trigger(s) not defined in this ConfigMap: "on-rollout-updated": Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates\n',
    );
    // the updated template does not exist in the ConfigMap: the built-in default renders it
    expect(byDestination(r)["slack:deploys"]).toEqual([
      "on-rollout-aborted rollout-aborted",
      "on-rollout-updated rollout-updated",
      "on-rollout-completed rollout-completed",
    ]);
  });

  it("a custom trigger (`when`, oncePer revision) fires once when its condition becomes true, routed and rendered like a built-in", async () => {
    const rollout = (rv: string, phase: string, rev = "5"): ReplayItem =>
      doc(
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Rollout",
          metadata: {
            name: "checkout",
            namespace: "payments",
            uid: "u-checkout",
            resourceVersion: rv,
            labels: { tier: "critical", team: "payments" },
            annotations: { "rollout.argoproj.io/revision": rev },
          },
          spec: { paused: false, strategy: { canary: { steps: [{ setWeight: 20 }] } } },
          status: {
            phase,
            message: phase === "Degraded" ? "ProgressDeadlineExceeded" : "",
            stableRS: "a",
            currentPodHash: "a",
          },
        },
        rv,
      );
    const items = [
      rollout("1", "Healthy"),
      rollout("2", "Degraded"),
      rollout("3", "Degraded"),
      rollout("4", "Healthy"),
      rollout("5", "Degraded"),
    ];
    const r = await replay({ items, configObjects: exampleConfig(), mode: "dry-run" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(
      r.lines.map((l) => `${l.trigger} ${l.service}:${l.recipient} ${(l.templates as string[]).join()}`),
    ).toEqual(["on-rollout-degraded pagerdutyv2:payments-oncall rollout-degraded"]);
    const e = (r.lines[0]!.notification as { event: { payload: Record<string, string> } }).event;
    expect(e.payload).toMatchObject({ summary: "Rollout checkout is degraded", severity: "critical" });
  });

  it("a custom trigger whose `when` does not compile: an error naming the trigger; built-ins still sent", async () => {
    const cm = exampleConfigMap();
    cm.data!["trigger.on-rollout-degraded"] = "- when: rollout.status.phase ==\n  send: [rollout-degraded]\n";
    const r = await replay({
      items: annotatedHistory("canary-analysis-failure.yaml", "default"),
      configObjects: [cm, testSecret()],
      mode: "dry-run",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/trigger\.on-rollout-degraded|"on-rollout-degraded"/);
    // only the broken trigger's own notification is lost
    expect(byDestination(r)).toEqual({
      ...EXPECTED["canary-analysis-failure.yaml"]![1],
      "pagerdutyv2:payments-oncall": ["on-rollout-aborted rollout-aborted"],
    });
  });
});

describe("input", () => {
  it("reads the config from one multi-document file (ConfigMap + Secret + Namespace)", () => {
    const text = readFileSync(
      new URL("../../examples/config/demo-notifications.yaml", import.meta.url),
      "utf8",
    );
    expect(text.split(/^---$/m)).toHaveLength(3);
  });
});
