// Broken templates are found when the config loads, not when a trigger fires: the error names the key, /readyz
// shows it, and the working version stays in force.
import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { createLogger } from "../../src/logger.ts";
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
