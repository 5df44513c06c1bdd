// Broken templates are found when the config loads, not when a trigger fires: the error names the key, /readyz
// shows it, and the working version stays in force.
import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import { createLogger } from "../../src/logger.ts";
import { runNotificationReplay } from "../../src/replay/run-notification-replay.ts";
import { compiledTemplateSpec, renderField } from "../../src/templates/compile.ts";
import { configMap } from "../config/load-examples.ts";

describe("templates compiled at load", () => {
  for (const [what, broken] of [
    ["an unclosed Handlebars block", "message: '{{#each rollout.metadata.labels}}x'"],
    ["an unknown Handlebars helper", "message: '{{nosuchhelper rollout}}'"],
    [
      "blocks nested beyond RENDER_MAX_DEPTH",
      `message: '${"{{#if true}}".repeat(30)}x${"{{/if}}".repeat(30)}'`,
    ],
    ["a Go syntax error", "message: '{{ .rollout.metadata.name '"],
  ] as const) {
    it(`${what}: an error of its key, the last good version kept`, () => {
      const store = new ConfigStore({
        logger: createLogger({ level: "silent" }),
        namespace: "argo-rollouts",
      });
      store.update(
        configMap({ "template.deployed": "message: 'deployed {{rollout.metadata.name}}'" }),
        undefined,
      );
      const r = store.update(configMap({ "template.deployed": broken }), undefined);
      expect(r.errors.map((e) => e.key)).toEqual(["template.deployed"]);
      expect(r.keptLastGood).toEqual(["template.deployed"]);
      const ready = store.readiness();
      expect(ready.ok).toBe(false);
      expect(ready.detail.join("\n")).toContain('key "template.deployed');
      const spec = store.forNamespace("shop").templates.deployed!;
      const out = renderField(compiledTemplateSpec(spec), "message", {
        rollout: { metadata: { name: "web" } },
      });
      expect(out).toBe("deployed web");
    });
  }
});

describe("templates dry-rendered at load against sample objects", () => {
  const nestedEachRoot = `message: '${"{{#each @root}}".repeat(7)}x${"{{/each}}".repeat(7)}'`;

  function storeWithGoodTemplate() {
    const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
    const first = store.update(
      configMap({
        "template.deployed": "message: 'deployed {{rollout.metadata.name}}'",
        "trigger.on-deployed": "- when: 'true'\n  send: [deployed]",
      }),
      undefined,
    );
    expect(first.errors).toEqual([]);
    return store;
  }

  function renderedByStore(store: ConfigStore): string | undefined {
    const spec = store.forNamespace("shop").templates.deployed!;
    return renderField(compiledTemplateSpec(spec), "message", { rollout: { metadata: { name: "web" } } });
  }

  for (const [what, broken, reason] of [
    ["a runaway Handlebars template (7 nested #each @root)", nestedEachRoot, /render budget exceeded/],
    [
      "a runaway Go range",
      "message: '{{ range $i, $e := until 1000000 }}x{{ end }}'",
      /render budget exceeded: .*RENDER_MAX_ITERATIONS/,
    ],
    [
      "Go output beyond the output budget",
      "message: '{{ range until 5000 }}{{ repeat 1000 \"x\" }}{{ end }}'",
      /render budget exceeded: .*RENDER_MAX_OUTPUT_BYTES/,
    ],
    [
      "a Go call of a template that does not exist",
      "message: '{{ template \"nope\" . }}'",
      /no such template "nope"/,
    ],
  ] as const) {
    it(`${what}: an error of its key naming the trigger, the last good version kept`, () => {
      const store = storeWithGoodTemplate();
      const r = store.update(
        configMap({
          "template.deployed": broken,
          "trigger.on-deployed": "- when: 'true'\n  send: [deployed]",
        }),
        undefined,
      );
      expect(r.errors.map((e) => e.key)).toEqual(["template.deployed"]);
      expect(r.errors[0]!.path).toBe("message");
      expect(r.errors[0]!.message).toMatch(/^dry-render for on-deployed on a sample object: /);
      expect(r.errors[0]!.message).toMatch(reason);
      expect(r.keptLastGood).toEqual(["template.deployed"]);
      const ready = store.readiness();
      expect(ready.ok).toBe(false);
      expect(ready.detail.join("\n")).toContain('key "template.deployed');
      expect(renderedByStore(store)).toBe("deployed web");
    });
  }

  it("a budget overrun in a service section is found for the built-in trigger that sends the template", () => {
    const r = loadNotifierConfig(
      configMap({
        "template.analysis-run-failed": `webhook:\n  hook:\n    method: POST\n    body: '${"{{#each @root}}".repeat(7)}x${"{{/each}}".repeat(7)}'`,
      }),
      undefined,
    );
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.key).toBe("template.analysis-run-failed");
    expect(r.errors[0]!.path).toBe("webhook.hook.body");
    expect(r.errors[0]!.message).toContain("dry-render for on-analysis-run-failed");
    expect(r.config.templates["analysis-run-failed"]).toBeUndefined();
  });

  it("a template that fails only for objects like the sample loads, with a warning naming trigger and field", () => {
    const r = loadNotifierConfig(
      configMap({
        "template.deployed": "message: '{{ index .rollout.status.noSuchMap 0 }}'",
        "trigger.on-deployed": "- when: 'true'\n  send: [deployed]",
      }),
      undefined,
    );
    expect(r.errors).toEqual([]);
    expect(r.config.templates.deployed).toBeDefined();
    expect(r.warnings.join("\n")).toMatch(
      /key "template.deployed \(message\)": dry-render for on-deployed on a sample object failed: .*index of untyped nil/,
    );
  });

  it("a missing field (<no value> in Go, empty in Handlebars) is neither an error nor a warning", () => {
    const r = loadNotifierConfig(
      configMap({
        "template.go": "message: '{{ .rollout.status.noSuchField }} {{ .analysisRun.status.phase }}'",
        "template.hb": "message: '{{rollout.status.noSuchField}} {{analysisRun.status.phase}}'",
        "trigger.on-deployed": "- when: 'true'\n  send: [go, hb]",
      }),
      undefined,
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.includes("dry-render"))).toEqual([]);
    expect(Object.keys(r.config.templates).sort()).toEqual(["go", "hb"]);
  });

  it("AnalysisRun triggers render against the sample AnalysisRun, Rollout triggers against the sample Rollout", () => {
    const message =
      "message: '{{ (index .analysisRun.status.metricResults 0).name }} {{ .rollout.metadata.name }}'";
    // the default template of on-analysis-run-failed: rendered with the sample AnalysisRun, no problem
    const analysis = loadNotifierConfig(configMap({ "template.analysis-run-failed": message }), undefined);
    expect(analysis.errors).toEqual([]);
    expect(analysis.warnings.filter((w) => w.includes("dry-render"))).toEqual([]);
    // sent by a Rollout trigger: there is no analysisRun, so `index` of nil fails — for that trigger only
    const rollout = loadNotifierConfig(
      configMap({
        "template.analysis-run-failed": message,
        "trigger.on-deployed": "- when: 'true'\n  send: [analysis-run-failed]",
      }),
      undefined,
    );
    expect(rollout.errors).toEqual([]);
    const dry = rollout.warnings.filter((w) => w.includes("dry-render"));
    expect(dry).toHaveLength(1);
    expect(dry[0]).toContain("dry-render for on-deployed on a sample object failed");
  });
});

describe("a template refused by the dry-render in `replay`", () => {
  it("is named on stderr and the exit code is 1", async () => {
    let stderr = "";
    const code = await runNotificationReplay({
      items: [],
      source: "<stdin>",
      configObjects: [
        configMap({
          "template.runaway": `message: '${"{{#each @root}}".repeat(7)}x${"{{/each}}".repeat(7)}'`,
          "trigger.on-deployed": "- when: 'true'\n  send: [runaway]",
        }),
      ],
      mode: "dry-run",
      namespace: "argo-rollouts",
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      formatInputError: (e) => e.message,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /error: .*key "template\.runaway.*dry-render for on-deployed.*render budget exceeded/,
    );
  });
});
