import { describe, expect, it } from "vitest";
import { compileTemplateSpec, renderField } from "../../src/templates/compile.ts";
import { compileHandlebars, TemplateSyntaxError } from "../../src/templates/engine.ts";
import { escapeSlackText } from "../../src/templates/escaping.ts";
import { TemplateError } from "../../src/templates/template-error.ts";

const render = (src: string, ctx: object = {}, mode: "none" | "slack" | "json" | "slack-json" = "none") =>
  compileHandlebars(src)(ctx, mode);

describe("helpers", () => {
  it("compare and combine with Go semantics", () => {
    const ctx = { s: "slack", n: 3, empty: {}, list: [] as unknown[], zero: 0 };
    expect(render('{{#if (eq s "x" "slack")}}y{{else}}n{{/if}}', ctx)).toBe("y");
    expect(render('{{#if (ne s "slack")}}y{{else}}n{{/if}}', ctx)).toBe("n");
    expect(render("{{lt 1 n}} {{gt 1 n}} {{le 3 n}} {{ge 2 n}}", ctx)).toBe("true false true false");
    expect(render('{{or zero "fallback"}} {{and n "last"}} {{not list}}', ctx)).toBe("fallback last true");
    // empty maps are false, as in Go (status.blueGreen: {} means "not blue-green")
    expect(render("{{#if empty}}t{{else}}f{{/if}}{{#with empty}}t{{else}}f{{/with}}", ctx)).toBe("ff");
  });

  it("format text, numbers and collections", () => {
    const ctx = { name: "Canary Demo", msg: "a".repeat(20), xs: [1, 2, 3], m: { a: 1, b: 2 }, idx: 1 };
    expect(
      render("{{upper name}} {{lower name}} {{add idx 1}} {{sub 5 idx}} {{len xs}} {{len m}}", ctx),
    ).toBe("CANARY DEMO canary demo 2 4 3 2");
    expect(render("{{truncate msg 5}}|{{trunc 3 msg}}", ctx)).toBe("aaaa…|aaa");
    expect(render('{{default missing "n/a"}} {{default name "n/a"}}', ctx)).toBe("n/a Canary Demo");
    expect(render('{{index m "b"}} {{index xs 2}} {{printf "%s-%d" name 7}}', ctx)).toBe("2 3 Canary Demo-7");
    expect(render("{{{json m}}} {{json xs}}", ctx)).toBe('{"a":1,"b":2} [1,2,3]');
  });

  it("formats times relative to the context time, never the clock", () => {
    const ctx = { time: "2024-01-01T01:02:03Z", started: "2024-01-01T00:00:00Z" };
    expect(
      render("{{formatTime started}} {{formatTime time 'datetime'}} {{formatTime started 'HH:mm'}}", ctx),
    ).toBe("2024-01-01T00:00:00Z 2024-01-01 01:02:03 UTC 00:00");
    expect(render("{{since started}} ago, now {{now}}", ctx)).toBe("1h 2m ago, now 2024-01-01T01:02:03Z");
    expect(render("[{{formatTime nothing}}]", ctx)).toBe("[]");
  });
});

describe("escaping", () => {
  const hostile = 'deploy <!channel> & <@U123> <https://evil.example|click> "q"';

  it("Slack fields cannot ping or link: & < > are escaped", () => {
    expect(render("{{m}}", { m: hostile }, "slack")).toBe(escapeSlackText(hostile));
    expect(render("{{m}}", { m: hostile }, "slack")).not.toMatch(/<[!@h]/);
  });

  it("Slack JSON fields stay valid JSON and escaped for Slack; json helper escapes strings inside", () => {
    const out = render(
      '{"text":"{{m}}","data":{{json obj}} }',
      { m: hostile, obj: { note: hostile } },
      "slack-json",
    );
    const parsed = JSON.parse(out);
    expect(parsed.text).toBe(escapeSlackText(hostile));
    expect(parsed.data.note).toBe(escapeSlackText(hostile));
  });

  it("plain fields are inserted as written; triple-stash is never escaped", () => {
    expect(render("{{m}}", { m: hostile }, "none")).toBe(hostile);
    expect(render("{{{m}}}", { m: hostile }, "slack")).toBe(hostile);
    expect(JSON.parse(`"${render("{{m}}", { m: 'a"b\\c\n' }, "json")}"`)).toBe('a"b\\c\n');
  });

  it("applies the mode by field: message plain, slack.text/attachments escaped, PagerDuty plain", () => {
    const t = compileTemplateSpec({
      name: "t",
      message: "{{m}}",
      slack: { text: "{{m}}", attachments: '[{"text":"{{m}}"}]' },
      pagerdutyv2: { summary: "{{m}}", customDetails: '{"m":"{{m}}"}' },
      webhook: { hook: { body: '{"m":"{{m}}"}', path: "/{{m}}" } },
    });
    const ctx = { m: '<!here> & "x"' };
    expect(renderField(t, "message", ctx)).toBe(ctx.m);
    expect(renderField(t, "slack.text", ctx)).toBe('&lt;!here&gt; &amp; "x"');
    expect(JSON.parse(renderField(t, "slack.attachments", ctx)!)[0].text).toBe('&lt;!here&gt; &amp; "x"');
    expect(renderField(t, "pagerdutyv2.summary", ctx)).toBe(ctx.m);
    expect(JSON.parse(renderField(t, "pagerdutyv2.customDetails", ctx)!).m).toBe(ctx.m);
    expect(JSON.parse(renderField(t, "webhook.hook.body", ctx)!).m).toBe(ctx.m);
    expect(renderField(t, "webhook.hook.path", ctx)).toBe(`/${ctx.m}`);
  });
});

describe("strictness", () => {
  it.each([
    ["{{frobnicate x}}", 'unknown helper "frobnicate"'],
    ["{{x (frob 1)}}", 'unknown helper "x"'],
    ["{{#eq a b}}x{{/eq}}", '"eq" is not a block helper'],
    ["{{#bogus}}x{{/bogus}}", 'unknown block helper "bogus"'],
    ["{{> footer}}", 'partial "footer" is not defined'],
    ["{{if a}}", '"if" is a block helper'],
    ["{{#if a}}", "Handlebars syntax error"],
    ['{"a":{{json x}}}', "triple-stash"],
  ])("rejects %s at compile time", (src, message) => {
    expect(() => compileHandlebars(src)).toThrow(TemplateSyntaxError);
    expect(() => compileHandlebars(src)).toThrow(message);
  });

  it("errors name the template and field", () => {
    const err = (() => {
      try {
        compileTemplateSpec({ name: "deploy-done", slack: { attachments: "[{{nope 1}}]" } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).message).toBe(
      'template "deploy-done" field "slack.attachments": unknown helper "nope" (line 1)',
    );
  });

  it("allows mustache sections over context keys and block params", () => {
    expect(
      render("{{#failedMetrics}}{{name}};{{/failedMetrics}}", {
        failedMetrics: [{ name: "a" }, { name: "b" }],
      }),
    ).toBe("a;b;");
    expect(render("{{#each xs as |len|}}{{len}}{{/each}}", { xs: [1, 2] })).toBe("12");
  });

  it("missing data renders empty (only helpers and partials are strict)", () => {
    expect(render("[{{rollout.status.nothing.here}}]", { rollout: {} })).toBe("[]");
  });

  it("keeps whitespace exactly (standalone lines are not stripped, as in Go)", () => {
    expect(render("a\n{{#if x}}\nb\n{{/if}}\nc", { x: true })).toBe("a\n\nb\n\nc");
  });

  it("compiles each source once", () => {
    const src = `{{x}} ${Math.random()}`;
    expect(compileHandlebars(src)).toBe(compileHandlebars(src));
  });

  it("renders a compiled source again and again with the same helpers, escaping and access rules (set up once)", () => {
    const fn = compileHandlebars(
      '{{upper name}} {{name}} [{{o.constructor}}][{{lookup o "__proto__"}}] {{#each xs}}{{add this 1}}{{/each}}',
    );
    for (const [ctx, mode, out] of [
      [{ name: "a&b", o: {}, xs: [1, 2] }, "none", "A&B a&b [][] 23"],
      [
        { name: "<x>", o: { k: 1 }, xs: [] },
        "slack",
        `${escapeSlackText("<X>")} ${escapeSlackText("<x>")} [][] `,
      ],
      [{ name: 'q"', o: [], xs: [5] }, "json", 'Q\\" q\\" [][] 6'],
      [{ name: "a&b", o: {}, xs: [1, 2] }, "none", "A&B a&b [][] 23"],
    ] as const) {
      expect(fn(ctx, mode)).toBe(out);
    }
    expect(() => fn({ name: "n", o: {}, xs: "not a list" }, "none")).not.toThrow();
    expect(fn({ name: "n", o: {}, xs: [] }, "none")).toBe("N n [][] ");
  });
});
