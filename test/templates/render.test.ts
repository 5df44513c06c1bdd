import { describe, expect, it } from "vitest";
import type { ServiceConfig, TemplateSpec } from "../../src/config/types.ts";
import { compileTemplateSpec } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { TemplateError } from "../../src/templates/template-error.ts";
import { loadFixture, transitionFor } from "./fixtures.ts";

const rollout = loadFixture("rollout-aborted/rollout.yaml");
const slack: ServiceConfig = { type: "slack", name: "slack", token: "xoxb-secret" };
const pd: ServiceConfig = { type: "pagerdutyv2", name: "pagerdutyv2", serviceKeys: { ops: "key" } };
const hook: ServiceConfig = { type: "webhook", name: "deploys", url: "https://example.invalid" };

const ctxFor = (trigger = "on-rollout-aborted", serviceType: "slack" | "pagerdutyv2" | "webhook" = "slack") =>
  buildTemplateContext({
    transition: transitionFor(trigger, rollout),
    rollout,
    recipient: "r",
    serviceType,
    now: "2024-01-01T00:00:00Z",
  });
const compile = (...specs: TemplateSpec[]) => specs.map(compileTemplateSpec);

describe("renderNotification", () => {
  it("merges send: [a, b] in order; a later non-empty field wins", () => {
    const [a, b] = compile(
      { name: "a", message: "from a", slack: { attachments: '[{"text":"a"}]', groupingKey: "k-a" } },
      { name: "b", message: "", slack: { attachments: '[{"text":"b"}]', deliveryPolicy: "PostAndUpdate" } },
    );
    const n = renderNotification([a!, b!], ctxFor(), slack);
    expect(n.message).toBe("from a");
    expect(n.slack).toEqual({
      text: "from a",
      attachments: [{ text: "b" }],
      groupingKey: "k-a",
      deliveryPolicy: "PostAndUpdate",
    });
  });

  it("invalid JSON after rendering names the template and field", () => {
    const [t] = compile({
      name: "broken",
      slack: { blocks: '[{"type":"section","text":"{{rollout.metadata.name}}"' },
    });
    expect(() => renderNotification([t!], ctxFor(), slack)).toThrow(TemplateError);
    expect(() => renderNotification([t!], ctxFor(), slack)).toThrow(
      /^template "broken" field "slack.blocks": rendered text is not valid JSON/,
    );
    const [obj] = compile({ name: "obj", slack: { attachments: '{"text":"x"}' } });
    expect(() => renderNotification([obj!], ctxFor(), slack)).toThrow(
      'template "obj" field "slack.attachments": rendered JSON must be an array',
    );
  });

  it("builds a PagerDuty event with defaults, validation and custom details", () => {
    const [t] = compile({
      name: "pd",
      message: "Rollout {{rollout.metadata.name}} aborted",
      pagerdutyv2: {
        severity: "critical",
        customDetails: { revision: "{{revision}}" },
        url: "https://argo/{{rollout.metadata.name}}",
      },
    });
    expect(renderNotification([t!], ctxFor("on-rollout-aborted", "pagerdutyv2"), pd).pagerduty).toEqual({
      eventAction: "trigger",
      dedupKey: "default/rollout-background-analysis/2",
      summary: "Rollout rollout-background-analysis aborted",
      severity: "critical",
      source: "default/rollout-background-analysis",
      customDetails: { revision: "2" },
      clientUrl: "https://argo/rollout-background-analysis",
    });
    const [bad] = compile({
      name: "pd-bad",
      pagerdutyv2: { summary: "x", severity: "{{rollout.metadata.name}}" },
    });
    expect(() => renderNotification([bad!], ctxFor("on-rollout-aborted", "pagerdutyv2"), pd)).toThrow(
      'template "pd-bad" field "pagerdutyv2.severity": "rollout-background-analysis" is not one of critical, error, warning, info',
    );
  });

  it("renders the webhook section for the service's name; JSON bodies are escaped and validated", () => {
    const [t] = compile({
      name: "hook",
      webhook: {
        deploys: {
          method: "put",
          path: "/rollouts/{{rollout.metadata.name}}",
          body: '{"message":"{{statusMessage}}"}',
          headers: [{ name: "X-Revision", value: "{{revision}}" }],
        },
        other: { body: "ignored" },
      },
    });
    const n = renderNotification([t!], ctxFor("on-rollout-aborted", "webhook"), hook);
    expect(n.webhook).toMatchObject({ method: "PUT", path: "/rollouts/rollout-background-analysis" });
    expect(JSON.parse(n.webhook!.body).message).toContain('metric "web" assessed Failed');
    expect(n.webhook!.headers).toEqual([
      { name: "X-Revision", value: "2" },
      { name: "Content-Type", value: "application/json" },
    ]);
  });

  it("fills a missing PagerDuty/webhook section from the trigger's built-in template", () => {
    const [slackOnly] = compile({
      name: "rollout-aborted",
      message: "aborted",
      slack: { attachments: "[]" },
    });
    const n = renderNotification([slackOnly!], ctxFor("on-rollout-aborted", "pagerdutyv2"), pd);
    expect(n.pagerduty?.dedupKey).toBe("default/rollout-background-analysis/2");
    expect(n.message).toBe("aborted");
    const w = renderNotification([slackOnly!], ctxFor("on-rollout-aborted", "webhook"), hook);
    expect(JSON.parse(w.webhook!.body).version).toBe("v1");
    expect(() => renderNotification([slackOnly!], ctxFor("on-custom-thing", "pagerdutyv2"), pd)).toThrow(
      'template "rollout-aborted" field "pagerdutyv2": no template defines a pagerdutyv2 section and "on-custom-thing" has no built-in template',
    );
  });

  it("a helper error at render time names the template and field", () => {
    const [t] = compile({ name: "divide", message: "{{div 1 0}}" });
    expect(() => renderNotification([t!], ctxFor(), slack)).toThrow(
      'template "divide" field "message": render failed: div: division by zero',
    );
  });
});
