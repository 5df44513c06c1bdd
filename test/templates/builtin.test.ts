import { describe, expect, it } from "vitest";
import type { ServiceConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { SLACK_MAX_BLOCKS, validateSlackMessage } from "../../src/sinks/slack/slack-blocks.ts";
import {
  BUILTIN_TEMPLATES,
  builtinCompiledTemplate,
  builtinTemplateNameForTrigger,
  warmBuiltinTemplates,
} from "../../src/templates/builtin/index.ts";
import { compileTemplateSpec, templateSpecSources } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { BUILTIN_TRIGGERS } from "../../src/triggers/trigger-names.ts";
import { loadFixture, transitionFor } from "./fixtures.ts";

const services: ServiceConfig[] = [
  { type: "slack", name: "slack", token: "t" },
  { type: "pagerdutyv2", name: "pagerdutyv2", serviceKeys: {} },
  { type: "webhook", name: "anything", url: "https://example.invalid" },
];
const rollout = loadFixture("rollout-aborted/rollout.yaml");
const failedRun = loadFixture("rollout-aborted/analysisrun.yaml");

function render(
  trigger: string,
  service: ServiceConfig,
  r: KubeObject = rollout,
  runs: KubeObject[] = [failedRun],
) {
  const isRun = trigger.startsWith("on-analysis-run");
  const ctx = buildTemplateContext({
    transition: isRun ? transitionFor(trigger, runs[0]!, r) : transitionFor(trigger, r),
    rollout: r,
    analysisRuns: runs,
    recipient: "c",
    serviceType: service.type,
    now: "2024-01-01T00:00:00Z",
  });
  return renderNotification(
    [builtinCompiledTemplate(builtinTemplateNameForTrigger(trigger)!)!],
    ctx,
    service,
  );
}

describe("built-in templates", () => {
  it("compile, every field of every section (the service compiles a field when first rendered)", () => {
    for (const [name, spec] of Object.entries(BUILTIN_TEMPLATES)) {
      const eager = compileTemplateSpec(spec);
      const lazy = builtinCompiledTemplate(name)!;
      expect([...lazy.fields.keys()]).toEqual([...eager.fields.keys()]);
      expect([...lazy.fields.keys()]).toEqual(templateSpecSources(spec).map(([path]) => path));
      for (const [path, field] of lazy.fields) {
        expect(field.source).toBe(eager.fields.get(path)!.source);
        expect(field.syntax).toBe(eager.fields.get(path)!.syntax);
        expect(lazy.fields.get(path)).toBe(field); // compiled once
      }
    }
  });

  it("warm up the message and the sections of the service types given, in the background", async () => {
    const sources = Object.values(BUILTIN_TEMPLATES).flatMap((spec) => templateSpecSources(spec));
    const expected = sources.filter(([path]) => path === "message" || path.startsWith("webhook.")).length;
    expect(await warmBuiltinTemplates(["webhook", "no-such-type"])).toBe(expected);
    expect(expected).toBeLessThan(sources.length / 4);
  });

  it("exist for every built-in trigger, under upstream names where upstream has one", () => {
    for (const t of BUILTIN_TRIGGERS)
      expect(BUILTIN_TEMPLATES[builtinTemplateNameForTrigger(t)!]).toBeDefined();
    expect(builtinTemplateNameForTrigger("on-analysis-run-running")).toBe("analysis-run-running");
    expect(builtinTemplateNameForTrigger("on-scaling-replica-set")).toBe("scaling-replicaset");
  });

  for (const trigger of BUILTIN_TRIGGERS) {
    for (const fixture of ["rollout-aborted/rollout.yaml", "blue-green/bluegreen-rollout.yaml"]) {
      it(`${trigger} × slack/pagerdutyv2/webhook render for ${fixture}`, () => {
        const r = loadFixture(fixture);
        const [s, p, w] = services.map((svc) => render(trigger, svc, r));
        expect(s!.message).toContain(r.metadata.name);
        const msg = s!.slack!;
        expect(validateSlackMessage(msg)).toEqual([]);
        expect(validateSlackMessage(msg.threadRoot!)).toEqual([]);
        expect(msg.groupingKey).toBe(
          `${r.metadata.namespace}/${r.metadata.name}/${r.metadata.annotations!["rollout.argoproj.io/revision"]}`,
        );
        expect(msg.deliveryPolicy).toBe("PostAndUpdate");
        expect((msg.attachments![0] as { color: string }).color).toMatch(/^#[0-9A-F]{6}$/);
        expect(p!.pagerduty!.summary.length).toBeGreaterThan(0);
        const body = JSON.parse(w!.webhook!.body);
        expect(body).toMatchObject({
          version: "v1",
          trigger,
          rollout: { name: r.metadata.name, uid: r.metadata.uid },
        });
      });
    }
  }

  it("Slack: the root shows the revision's state with header, strategy, revision, step and images", () => {
    const msg = render("on-rollout-aborted", services[0]!).slack!;
    const root = msg.threadRoot!.attachments![0] as {
      color: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(root.color).toBe("#E01E5A");
    expect(root.blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text" } });
    expect(root.blocks[0]!.text!.text).toContain(
      "rollout-background-analysis revision 2: Aborted (step 0/2)",
    );
    expect(root.blocks[1]!.fields!.map((f) => f.text)).toEqual([
      "*Rollout*\n`default/rollout-background-analysis`",
      "*Strategy*\nCanary",
      "*Revision*\n2",
      "*Step*\n0/2",
      "*Images*\n`rollouts-demo`: argoproj/rollouts-demo:yellow",
    ]);
  });

  it("Slack: an abort reply lists failed metrics with measured value and condition", () => {
    const msg = render("on-rollout-aborted", services[0]!).slack!;
    const text = JSON.stringify(msg.attachments);
    expect(text).toContain("*web* Failed");
    expect(text).toContain("Measured: `false`");
    expect(text).toContain('successCondition not met: result == \\"true\\"');
  });

  it("Slack: cluster text cannot ping or inject links", () => {
    const hostile = structuredClone(rollout);
    hostile.status!.message = "oops <!channel> <@U123> <https://evil.example|click here> & more";
    const msg = render("on-rollout-aborted", services[0]!, hostile).slack!;
    const all = JSON.stringify([msg.text, msg.attachments, msg.threadRoot]);
    expect(all).not.toMatch(/<!channel>|<@U123>|<https:/);
    expect(all).toContain(
      "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click here&gt; &amp; more",
    );
  });

  it("Slack: many failed metrics and long messages stay within Block Kit limits", () => {
    const run = structuredClone(failedRun);
    const names = Array.from({ length: 80 }, (_, i) => `metric-${i}`);
    run.spec!.metrics = names.map((name) => ({ name, successCondition: "result < 1" }));
    run.status!.metricResults = names.map((name) => ({
      name,
      phase: "Failed",
      count: 1,
      failed: 1,
      message: "x".repeat(5000),
      measurements: [{ phase: "Failed", value: "9".repeat(4000) }],
    }));
    const long = structuredClone(rollout);
    long.status!.message = "y".repeat(10_000);
    const msg = render("on-analysis-run-failed", services[0]!, long, [run]).slack!;
    expect(validateSlackMessage(msg)).toEqual([]);
    expect(validateSlackMessage(msg.threadRoot!)).toEqual([]);
    const blocks = (msg.attachments![0] as { blocks: unknown[] }).blocks;
    expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    expect(JSON.stringify(blocks)).toContain("…and 70 more failed metrics");
  });

  it("PagerDuty: abort/analysis failure trigger on <ns>/<rollout>/<revision>; completion resolves the same key", () => {
    const aborted = render("on-rollout-aborted", services[1]!).pagerduty!;
    const failed = render("on-analysis-run-failed", services[1]!).pagerduty!;
    const completed = render("on-rollout-completed", services[1]!).pagerduty!;
    const step = render("on-rollout-step-completed", services[1]!).pagerduty!;
    expect(aborted).toMatchObject({
      eventAction: "trigger",
      severity: "error",
      dedupKey: "default/rollout-background-analysis/2",
    });
    expect(failed.dedupKey).toBe(aborted.dedupKey);
    expect(completed).toMatchObject({ eventAction: "resolve", dedupKey: aborted.dedupKey });
    expect(step).toMatchObject({ eventAction: "trigger", severity: "info" });
    expect(step.dedupKey).not.toBe(aborted.dedupKey);
    // one incident group per Rollout: a later revision's completion resolves this revision's alerts
    for (const e of [aborted, failed, completed, step])
      expect(e.incidentGroup).toBe("default/rollout-background-analysis");
    expect(aborted.customDetails!.failedMetrics).toEqual([
      expect.objectContaining({ name: "web", value: "false", successCondition: 'result == "true"' }),
    ]);
  });

  it("webhook: the documented v1 payload", () => {
    const body = JSON.parse(render("on-analysis-run-failed", services[2]!).webhook!.body);
    expect(Object.keys(body)).toEqual([
      "version",
      "id",
      "trigger",
      "time",
      "detail",
      "rollout",
      "analysisRun",
      "failedMetrics",
      "summary",
    ]);
    expect(body.rollout).toEqual({
      namespace: "default",
      name: "rollout-background-analysis",
      uid: "aeddde25-f8bd-4a68-a4a1-523a559bdb83",
      revision: "2",
      strategy: "Canary",
      step: { index: 0, total: 2 },
      images: { "rollouts-demo": "argoproj/rollouts-demo:yellow" },
      statusMessage: 'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
    });
    expect(body.analysisRun).toMatchObject({
      name: "rollout-background-analysis-db976bc44-2",
      phase: "Failed",
    });
    expect(body.failedMetrics[0]).toMatchObject({ name: "web", phase: "Failed", value: "false" });
    expect(body.time).toBe("2024-01-01T00:00:00Z");
  });
});
