// How Go templates are recognised, checked at load (errors naming template, field and line) and reported for
// `migrate` (checkGoTemplate), and how render-time failures are reported.
import { describe, expect, it } from "vitest";
import { compileTemplateSpec, renderField } from "../../../src/templates/compile.ts";
import { checkGoTemplate, detectTemplateSyntax } from "../../../src/templates/go-template/index.ts";
import { TemplateError } from "../../../src/templates/template-error.ts";

describe("detectTemplateSyntax", () => {
  it.each([
    ["{{.rollout.metadata.name}}", "go"],
    ["{{ .rollout.metadata.name}}", "go"],
    ["{{- if .x }}a{{ end -}}", "go"],
    ["{{range $i, $c := .xs}}{{end}}", "go"],
    ["{{add .rollout.status.currentStepIndex 1}}", "go"],
    ['{{ index .rollout.metadata.annotations "a" }}', "go"],
    ["{{ .x | quote }}", "go"],
    ["{{/* note */}}", "go"],
    ['{{ camelcase "on-rollout-completed" }}', "go"],
    ['{{ regexReplaceAll "a" "b" "c" }}', "go"],
    ["{{rollout.metadata.name}}", "handlebars"],
    ["{{#if (eq serviceType 'slack')}}x{{else}}y{{/if}}", "handlebars"],
    ["{{#each images as |image name|}}{{name}}{{/each}} {{@root.time}} {{~x~}}", "handlebars"],
    ["{{{json failedMetrics}}} {{./x}} {{../y}}", "handlebars"],
    ["no actions at all", "plain"],
  ])("%s → %s", (src, syntax) => {
    expect(detectTemplateSyntax(src)).toBe(syntax);
  });
});

describe("load-time errors", () => {
  it.each([
    ["{{if .x}}no end", 1, "unexpected EOF"],
    ["line one\n{{ nosuch .x }}", 2, 'function "nosuch" not defined'],
    ["{{ $y.name }}", 1, 'undefined variable "$y"'],
    ['{{ bcrypt "x" }}', 1, 'function "bcrypt" is not supported'],
    ['{{ getHostByName "x" }}', 1, 'function "getHostByName" is not supported'],
    ["a\nb\n{{ end }}", 3, "unexpected {{end}}"],
    ['{{ .x }}{{ "unterminated }}', 1, "unterminated quoted string"],
  ])("%j fails at line %d: %s", (src, line, message) => {
    let err: unknown;
    try {
      compileTemplateSpec({ name: "tmpl", message: src });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toContain('template "tmpl" field "message": Go template: line');
    expect((err as Error).message).toContain(`line ${line}:`);
    expect((err as Error).message).toContain(message);
  });

  it("a source mixing both syntaxes is rejected naming both", () => {
    expect(() => compileTemplateSpec({ name: "mixed", message: "{{#if x}}{{.y}}{{/if}}" })).toThrow(
      /template "mixed" field "message": mixes Go template syntax .* and Handlebars syntax/,
    );
  });
});

describe("checkGoTemplate (for migrate)", () => {
  it("is empty for a template that renders as upstream", () => {
    expect(checkGoTemplate('{{ .rollout.metadata.name | upper }} {{ now | date "2006" }}')).toEqual({
      problems: [],
    });
  });

  it("lists unsupported functions and undefined templates with their lines", () => {
    expect(
      checkGoTemplate('{{ bcrypt "x" }}\n{{ template "footer" . }}\n{{ genCA "x" 3 }}').problems,
    ).toEqual([
      { line: 1, message: expect.stringContaining('function "bcrypt" is not supported') },
      { line: 2, message: expect.stringContaining('no such template "footer"') },
      { line: 3, message: expect.stringContaining('function "genCA" is not supported') },
    ]);
  });

  it("reports a syntax error with its line", () => {
    expect(checkGoTemplate("ok\n{{ if }}").problems).toEqual([
      { line: 2, message: expect.stringContaining("missing value for if") },
    ]);
  });
});

describe("render-time errors", () => {
  it("name the template, the field, the line and Go's reason", () => {
    const t = compileTemplateSpec({
      name: "tmpl",
      message: "a\n{{ upper .rollout.status.currentStepIndex }}",
    });
    expect(() => renderField(t, "message", { rollout: { status: { currentStepIndex: 1 } } })).toThrow(
      /template "tmpl" field "message": Go template failed: line 2: .*wrong type for value; expected string; got float64/,
    );
  });
});

describe("JSON fields", () => {
  const t = compileTemplateSpec({
    name: "j",
    slack: { attachments: '[{"text": "{{.rollout.status.message}}", "n": {{ len .rollout.spec.steps }}}]' },
  });
  const render = (message: string) =>
    renderField(t, "slack.attachments", { rollout: { status: { message }, spec: { steps: [1, 2] } } });

  it("keep Go's exact output when it is valid JSON (no Slack or JSON escaping)", () => {
    expect(render("a > b & c")).toBe('[{"text": "a > b & c", "n": 2}]');
  });

  it("escape a value inside a JSON string only when Go's output would not parse (upstream: Slack rejects it)", () => {
    expect(render('metric "web" failed')).toBe('[{"text": "metric \\"web\\" failed", "n": 2}]');
    expect(JSON.parse(render('a\\b "c"\n') ?? "")[0].text).toBe('a\\b "c"\n');
  });
});
