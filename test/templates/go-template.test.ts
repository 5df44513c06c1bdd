import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ServiceConfig } from "../../src/config/types.ts";
import { compileTemplateSpec } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { compileHandlebars } from "../../src/templates/engine.ts";
import { convertGoTemplate, detectTemplateSyntax } from "../../src/templates/go-template/convert.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { TemplateError } from "../../src/templates/template-error.ts";
import { installConfigMap, loadFixture, transitionFor } from "./fixtures.ts";

const rollout = loadFixture("rollout-aborted/rollout.yaml");
const analysisRun = loadFixture("rollout-aborted/analysisrun.yaml");

/** Converts a Go source and renders it with Handlebars. */
function goRender(src: string, ctx: object): string {
  return compileHandlebars(convertGoTemplate(src, "t").source)(ctx, "none");
}

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
    ["{{rollout.metadata.name}}", "handlebars"],
    ["{{#if (eq serviceType 'slack')}}x{{else}}y{{/if}}", "handlebars"],
    ["{{#each images as |image name|}}{{name}}{{/each}} {{@root.time}} {{~x~}}", "handlebars"],
    ["{{{json failedMetrics}}} {{./x}} {{../y}}", "handlebars"],
    ["no actions at all", "plain"],
  ])("%s → %s", (src, syntax) => {
    expect(detectTemplateSyntax(src)).toBe(syntax);
  });

  it("rejects a source mixing both", () => {
    expect(() => convertGoTemplate("{{#if x}}{{.y}}{{/if}}", "mixed", "message")).toThrow(
      /template "mixed" field "message": mixes Go template syntax .* and Handlebars syntax/,
    );
  });

  it("passes Handlebars through untouched, without warnings", () => {
    const src = '{{#each rollout.spec.template.spec.containers as |c|}}{{c.name}}{{/each}} {{default x "y"}}';
    expect(convertGoTemplate(src, "t")).toEqual({ source: src, warnings: [] });
  });
});

describe("convertGoTemplate", () => {
  const ctx = {
    serviceType: "slack",
    rollout,
    items: { b: 2, a: 1 },
    list: ["x", "y", "z"],
    msg: 'say "hi"',
  };

  it.each([
    ["{{.rollout.metadata.name}}", "rollout-background-analysis"],
    ["{{ .rollout.metadata.name }}", "rollout-background-analysis"],
    ['{{if eq .serviceType "slack"}}S{{else if eq .serviceType "x"}}X{{else}}O{{end}}', "S"],
    ['{{if ne .serviceType "slack"}}S{{else}}O{{end}}', "O"],
    ["{{range $i, $c := .list}}{{if not $i}}first:{{end}}{{$i}}={{$c}};{{end}}", "first:0=x;1=y;2=z;"],
    ["{{range .list}}[{{.}}]{{else}}none{{end}}{{range .nothing}}x{{else}}none{{end}}", "[x][y][z]none"],
    ['{{index .rollout.metadata.annotations "rollout.argoproj.io/revision"}}', "2"],
    ["{{add .rollout.status.currentStepIndex 1}}/{{len .rollout.spec.strategy.canary.steps}}", "1/2"],
    [
      "{{with .rollout.status.canary.currentBackgroundAnalysisRunStatus}}{{.status}}{{else}}-{{end}}",
      "Failed",
    ],
    [
      "{{with $s := .rollout.status}}{{$s.replicas}} of {{$.rollout.metadata.name}}{{end}}",
      "1 of rollout-background-analysis",
    ],
    ["{{$n := .rollout.metadata.name}}{{$n}}!", "rollout-background-analysis!"],
    ["{{ .msg | quote }}", '"say \\"hi\\""'],
    ['{{ .missing | default "n/a" }} {{ default "n/a" .serviceType }}', "n/a slack"],
    ["{{ .rollout.metadata.name | upper | trunc 7 }}", "ROLLOUT"],
    ["{{ toJson .list }}", '["x","y","z"]'],
    ["{{ (index .rollout.spec.strategy.canary.steps 0).setWeight }}", "10"],
    ['{{ printf "%s@%d" .rollout.metadata.name 3 }}', "rollout-background-analysis@3"],
    ["a  {{- .serviceType -}}  b {{/* comment */}}c", "aslackb c"],
    ['{{"literal"}} {{ 42 }}', "literal 42"],
    ['{"n":{{len .list}}}', '{"n":3}'],
  ])("%s", (src, expected) => {
    expect(goRender(src, ctx)).toBe(expected);
  });

  it("warns that it converted", () => {
    const out = convertGoTemplate("{{.x}}", "my-template", "slack.text");
    expect(out.warnings).toEqual([
      'template "my-template" field "slack.text": converted from Go template syntax to Handlebars',
    ]);
  });

  it.each([
    ['{{template "footer" .}}', '"{{template "footer" .}}"', "named templates"],
    ['{{define "x"}}y{{end}}', '"{{define "x"}}"', "named templates"],
    ["{{range .xs}}{{break}}{{end}}", '"{{break}}"', "break"],
    ["{{ .x | html }}", '"{{ .x | html }}"', 'function "html"'],
    ["{{ $x := 1 }}{{ $x = 2 }}", '"{{ $x = 2 }}"', "assignment"],
    ["{{if .x}}no end", '"{{if .x}}"', "without {{end}}"],
    ["{{ $y.name }}", '"{{ $y.name }}"', "undefined variable $y"],
  ])("rejects %s naming the construct", (src, construct, why) => {
    let err: unknown;
    try {
      convertGoTemplate(src, "tmpl", "message");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toContain('template "tmpl" field "message"');
    expect((err as Error).message).toContain(construct);
    expect((err as Error).message).toContain(why);
  });
});

describe("the upstream install ConfigMap", () => {
  const cm = installConfigMap();
  const names = Object.keys(cm.data)
    .filter((k) => k.startsWith("template."))
    .map((k) => k.slice("template.".length));
  const slack: ServiceConfig = { type: "slack", name: "slack", token: "" };

  it("has the nine upstream templates", () => {
    expect(names).toHaveLength(9);
  });

  for (const name of names) {
    it(`${name}: converts and renders valid JSON attachments for every fixture Rollout`, () => {
      const raw = parse(cm.data[`template.${name}`]!);
      const compiled = compileTemplateSpec({ name, message: raw.message, slack: raw.slack });
      expect(compiled.warnings.length).toBeGreaterThan(0);
      for (const fixture of [
        "rollout-aborted/rollout.yaml",
        "blue-green/bluegreen-rollout.yaml",
        "canary/canary-rollout5.yaml",
        "experiment-analysis/rollout-experiment-analysis.yaml",
      ]) {
        const r = loadFixture(fixture);
        const trigger = name.startsWith("analysis") ? "on-analysis-run-failed" : "on-rollout-updated";
        const ctx = buildTemplateContext({
          transition: transitionFor(trigger, r),
          rollout: r,
          analysisRuns: [],
          recipient: "c",
          serviceType: "slack",
          now: "2024-01-01T00:00:00Z",
        });
        const n = renderNotification([compiled], ctx, slack);
        expect(n.message).toContain(r.metadata.name);
        const [attachment] = n.slack!.attachments as {
          title: string;
          fields: { title: string; value: string }[];
        }[];
        expect(attachment!.title).toBe(r.metadata.name);
        const containers = (r.spec!.template as { spec: { containers: { name: string; image: string }[] } })
          .spec.containers;
        expect(attachment!.fields.slice(-containers.length)).toEqual(
          containers.map((c) => ({ title: c.name, value: c.image, short: true })),
        );
        expect(attachment!.fields[0]!.value).toBe(fixture.startsWith("blue") ? "BlueGreen" : "Canary");
      }
    });
  }

  it("renders exactly what Go would: the {{range}} comma logic with two containers", () => {
    const raw = parse(cm.data["template.rollout-aborted"]!);
    const two = structuredClone(rollout);
    const podSpec = (two.spec!.template as { spec: { containers: object[] } }).spec;
    podSpec.containers = [
      { name: "app", image: "app:1" },
      { name: "sidecar", image: "proxy:2" },
    ];
    const out = compileHandlebars(convertGoTemplate(raw.slack.attachments, "rollout-aborted").source)(
      { rollout: two },
      "none",
    );
    // Go text/template output for the same input (whitespace included): the first element gets its comma from
    // {{if not $index}}, later ones from {{if $index}}.
    const element = (name: string, image: string, first: boolean) =>
      `\n    ${first ? "," : ""}\n    ${first ? "" : ","}\n    {\n      "title": "${name}",\n      "value": "${image}",\n      "short": true\n    }\n  `;
    const expected =
      '[{\n  "title": "rollout-background-analysis",\n  "color": "#E01E5A",\n  "fields": [\n  {\n    "title": "Strategy",\n' +
      '    "value": "Canary",\n    "short": true\n  }\n  ' +
      element("app", "app:1", true) +
      element("sidecar", "proxy:2", false) +
      "\n  ]\n}]\n";
    expect(out).toBe(expected);
    expect(JSON.parse(out)[0].fields).toHaveLength(3);
  });

  it("renders analysis templates with the AnalysisRun in context", () => {
    const raw = parse(cm.data["template.analysis-run-failed"]!);
    const compiled = compileTemplateSpec({
      name: "analysis-run-failed",
      message: raw.message,
      slack: raw.slack,
    });
    const ctx = buildTemplateContext({
      transition: transitionFor("on-analysis-run-failed", analysisRun, rollout),
      rollout,
      recipient: "c",
      serviceType: "slack",
      now: "2024-01-01T00:00:00Z",
    });
    const n = renderNotification([compiled], ctx, { type: "slack", name: "slack", token: "" });
    expect(n.message).toBe("Rollout rollout-background-analysis's analysis run failed.");
  });
});
