// Argo Rollouts' own notifications-install.yaml (test/fixtures/argo-rollouts; provenance in its README) rendered through the template stage: the ConfigMap's Go templates execute on the Go interpreter and
// produce exactly Go's text. Expected strings follow text/template's rules for the same input (whitespace of
// the template kept, {{if not $index}} / {{if $index}} comma logic, `add` of a float64 and an int → int64).
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ServiceConfig } from "../../../src/config/types.ts";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { compileTemplateSpec } from "../../../src/templates/compile.ts";
import { buildTemplateContext } from "../../../src/templates/context.ts";
import { renderNotification } from "../../../src/templates/render.ts";
import { installConfigMap, transitionFor } from "../fixtures.ts";

const install = installConfigMap();
const slack: ServiceConfig = { type: "slack", name: "slack", token: "" };

function canary(stepIndex: number, containers = [{ name: "app", image: "app:1" }]): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: "demo",
      namespace: "default",
      uid: "u1",
      annotations: { "rollout.argoproj.io/revision": "2" },
    },
    spec: {
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
      template: { spec: { containers } },
    },
    status: { currentStepIndex: stepIndex, phase: "Progressing" },
  } as KubeObject;
}

function render(name: string, rollout: KubeObject) {
  const raw = parse(install.data[`template.${name}`]!);
  const compiled = compileTemplateSpec({ name, message: raw.message, slack: raw.slack });
  const ctx = buildTemplateContext({
    transition: transitionFor("on-rollout-step-completed", rollout),
    rollout,
    analysisRuns: [],
    recipient: "c",
    serviceType: "slack",
    now: "2024-01-01T00:00:00Z",
  });
  return { compiled, notification: renderNotification([compiled], ctx, slack) };
}

describe("upstream notifications-install.yaml", () => {
  const names = Object.keys(install.data)
    .filter((k) => k.startsWith("template."))
    .map((k) => k.slice("template.".length));

  it("has the nine upstream templates, all executed as Go templates", () => {
    expect(names).toHaveLength(9);
    for (const name of names) {
      const { compiled } = render(name, canary(0));
      for (const field of compiled.fields.values()) expect(field.syntax).toBe("go");
    }
  });

  it('says "step number 1/2" then "2/2" for a two-step canary (add .rollout.status.currentStepIndex 1)', () => {
    expect(render("rollout-step-completed", canary(0)).notification.message).toBe(
      "Rollout demo step number 1/2 has been completed.",
    );
    expect(render("rollout-step-completed", canary(1)).notification.message).toBe(
      "Rollout demo step number 2/2 has been completed.",
    );
  });

  for (const name of [
    "analysis-run-error",
    "analysis-run-failed",
    "analysis-run-running",
    "rollout-aborted",
    "rollout-completed",
    "rollout-paused",
    "rollout-step-completed",
    "rollout-updated",
    "scaling-replicaset",
  ]) {
    it(`${name}: renders valid Slack attachments with every container`, () => {
      const two = [
        { name: "app", image: "app:1" },
        { name: "sidecar", image: "proxy:2" },
      ];
      const { notification } = render(name, canary(1, two));
      expect(notification.message).toContain("demo");
      const [attachment] = notification.slack!.attachments as { title: string; fields: unknown[] }[];
      expect(attachment!.title).toBe("demo");
      expect(attachment!.fields.slice(-2)).toEqual(
        two.map((c) => ({ title: c.name, value: c.image, short: true })),
      );
    });
  }

  it("renders the attachments byte for byte as Go does", () => {
    const raw = parse(install.data["template.rollout-aborted"]!);
    const compiled = compileTemplateSpec({
      name: "rollout-aborted",
      slack: { attachments: raw.slack.attachments },
    });
    const rollout = canary(1, [
      { name: "app", image: "app:1" },
      { name: "sidecar", image: "proxy:2" },
    ]);
    const out = compiled.fields.get("slack.attachments")!.render({ rollout }, "slack-json");
    const element = (name: string, image: string, first: boolean) =>
      `\n    ${first ? "," : ""}\n    ${first ? "" : ","}\n    {\n      "title": "${name}",\n      "value": "${image}",\n      "short": true\n    }\n  `;
    expect(out).toBe(
      '[{\n  "title": "demo",\n  "color": "#E01E5A",\n  "fields": [\n  {\n    "title": "Strategy",\n' +
        '    "value": "Canary",\n    "short": true\n  }\n  ' +
        element("app", "app:1", true) +
        element("sidecar", "proxy:2", false) +
        "\n  ]\n}]\n",
    );
  });

  it("a missing field prints <no value>, as upstream", () => {
    const compiled = compileTemplateSpec({ name: "t", message: "phase={{.rollout.status.abort}}" });
    expect(compiled.fields.get("message")!.render({ rollout: canary(0) }, "none")).toBe("phase=<no value>");
  });
});
