// Template input is data, never code: a Go string literal containing `{{` prints as text (the old converter
// turned it into live template code), and prototype properties are not reachable from either syntax.
import { describe, expect, it } from "vitest";
import { compileTemplateSpec, renderField } from "../../src/templates/compile.ts";

const ctx = { rollout: { metadata: { name: "web", namespace: "team" } }, recipient: "r", context: {} };

const render = (source: string) =>
  renderField(compileTemplateSpec({ name: "t", message: source }), "message", ctx);

describe("template injection", () => {
  it("a Go string literal with {{ }} is printed, not executed", () => {
    expect(render('{{ "{{.rollout.metadata.name}}" }} {{ printf "%s" "{{ .recipient }}" }}')).toBe(
      "{{.rollout.metadata.name}} {{ .recipient }}",
    );
  });

  it("prototype properties are not reachable (Handlebars)", () => {
    expect(render("[{{rollout.constructor}}][{{rollout.__proto__}}][{{lookup rollout 'constructor'}}]")).toBe(
      "[][][]",
    );
  });

  it("prototype properties are not reachable (Go)", () => {
    const out = (() => {
      try {
        return render('[{{.rollout.constructor}}][{{index .rollout "__proto__"}}]');
      } catch (err) {
        return `error: ${(err as Error).message}`;
      }
    })();
    expect(out).not.toMatch(/function|native code|\[object Object\]/);
  });
});
