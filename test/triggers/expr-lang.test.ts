// The expr-lang evaluator against expr-lang v1.16's semantics as notifications-engine runs it (expr.Compile
// without an env, expr.Run over the object as map[string]interface{}). Expected values from expr-lang's
// source: vm/runtime/runtime.go (Fetch: missing map key → nil, fetch from nil panics; In; Len), vm/vm.go
// (OpNot/OpJumpIfFalse assert bool; OpContains/OpStartsWith/OpMatches are false on nil), the generated
// helpers (Equal: numbers across types, nil == nil, else DeepEqual; Less: panics on mismatched types),
// parser/operator/operator.go (precedence), and Go's fmt %v for oncePer keys.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { compileCondition, conditionActivation } from "../../src/triggers/conditions.ts";
import {
  evalExpr,
  formatGoValue,
  GoFunc,
  GoTime,
  goRegexp,
  parseRfc3339,
} from "../../src/triggers/expr-lang-eval.ts";
import { ExprLangSyntaxError, parseExprLang } from "../../src/triggers/expr-lang-parse.ts";

const rollout = {
  metadata: { name: "web", labels: { app: "web" }, annotations: { "rollout.argoproj.io/revision": "3" } },
  spec: { replicas: 2, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
  status: {
    phase: "Paused",
    currentStepIndex: 1,
    pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2024-05-01T12:00:00Z" }],
    conditions: [
      { type: "Available", status: "True" },
      { type: "Progressing", status: "True", reason: "RolloutPaused" },
    ],
  },
};
const vars = {
  rollout,
  time: {
    Now: new GoFunc("time.Now", () => new GoTime(Date.parse("2024-05-01T12:30:00Z"))),
    Parse: new GoFunc("time.Parse", (a) => parseRfc3339(a[0])),
  },
};
const run = (src: string) => evalExpr(parseExprLang(src), vars);

describe("expr-lang values", () => {
  it.each([
    // missing fields are nil; nil compares equal only to nil
    ["rollout.status.abort", null],
    ["rollout.status.abort == nil", true],
    ["rollout.status.abort != true", true],
    ["rollout.status.abort == false", false],
    ["nil == nil", true],
    ["rollout.nope == rollout.status.nope", true],
    // ?. and ??
    ["rollout.status.nope?.deeper", null],
    ["rollout.status.nope?.deeper.deepest", null],
    ["rollout.status.nope?.[0]", null],
    ["rollout.status.nope ?? 'none'", "none"],
    ["rollout.status.phase ?? 'none'", "Paused"],
    ["rollout.status.nope ?? 1 + 1", 2], // `??` binds tightest (precedence 500): (nope ?? 1) + 1
    // numbers: JSON numbers (float64) equal integer literals
    ["rollout.status.currentStepIndex == 1", true],
    ["rollout.status.currentStepIndex + 1", 2],
    ["rollout.spec.replicas / 4", 0.5],
    ["7 % 3", 1],
    ["2 ** 3 ** 2", 512],
    ["-2 ** 2", -4],
    ["len(rollout.spec.strategy.canary.steps)", 2],
    ["len('héllo')", 6], // bytes, as Go's len
    // strings
    ["rollout.metadata.name + '-x'", "web-x"],
    ["rollout.metadata.name contains 'e'", true],
    ["rollout.metadata.name startsWith 'we' and rollout.metadata.name endsWith 'b'", true],
    ["rollout.metadata.name not contains 'z'", true],
    ["rollout.status.nope contains 'x'", false],
    ["rollout.status.nope matches 'x'", false],
    ["rollout.status.phase matches '^P[a-z]+d$'", true],
    // in
    ["rollout.status.phase in ['Paused', 'Degraded']", true],
    ["rollout.status.phase not in ['Paused', 'Degraded']", false],
    ["'app' in rollout.metadata.labels", true],
    ["'x' in rollout.status.nope", false],
    ["1 in [1.0, 2]", true],
    // boolean operators: precedence and short-circuit; the right side is returned as it is
    ["true or rollout.status.nope.deeper", true],
    ["false and rollout.status.nope.deeper", false],
    ["true and rollout.status.abort", null],
    ["not true == false", true], // not binds tighter than ==: (not true) == false
    ["!(rollout.status.phase == 'Healthy')", true],
    ["rollout.status.phase == 'Paused' ? 'p' : 'q'", "p"],
    // indexes and closures
    ["rollout.status.conditions[1].reason", "RolloutPaused"],
    ["rollout.status.conditions[-1].type", "Progressing"],
    ["rollout.metadata.annotations['rollout.argoproj.io/revision']", "3"],
    ["any(rollout.status.conditions, {.type == 'Available' and .status == 'True'})", true],
    ["all(rollout.status.conditions, {#.status == 'True'})", true],
    ["none(rollout.status.pauseConditions, {.reason == 'BlueGreenPause'})", true],
    ["one(rollout.status.conditions, {.type == 'Available'})", true],
    ["count(rollout.status.conditions, {.status == 'True'})", 2],
    ["map(rollout.status.conditions, {.type})", ["Available", "Progressing"]],
    ["len(filter(rollout.status.conditions, {.type == 'Progressing'}))", 1],
    // time
    ["time.Now().Sub(time.Parse(rollout.status.pauseConditions[0].startTime)).Minutes()", 30],
    ["time.Now().After(time.Parse('2024-05-01T12:00:00Z'))", true],
    ["time.Now() - time.Parse('2024-05-01T12:29:00Z') == duration('1m')", true],
    ["time.Parse('2024-05-01T14:00:00+02:00') == time.Parse('2024-05-01T12:00:00Z')", true],
    ["time.Now().Sub(time.Parse('2024-05-01T12:00:00.5Z')).Seconds()", 1799.5],
  ])("%s", (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe("expr-lang runtime errors (the condition is false, the error reported)", () => {
  it.each([
    ["rollout.status.nope.deeper", /cannot fetch deeper from <nil>/],
    ["rollout.status.phase.deeper", /cannot fetch deeper from string/],
    ["analysisRun.status.phase", /cannot fetch status from <nil>/],
    ["not rollout.status.abort", /<nil>, not bool/],
    ["rollout.status.abort or true", /<nil>, not bool/],
    ["rollout.status.nope > 0", /invalid operation: <nil> > int/],
    ["rollout.metadata.name > 1", /invalid operation: string > int/],
    ["rollout.status.conditions[5]", /index out of range: 5/],
    ["rollout.status.conditions['x']", /cannot fetch x from/],
    ["len(rollout.status.nope)", /invalid argument for len/],
    ["1 in rollout.metadata.name", /operator "in" not defined on string/],
    ["time.Parse('yesterday')", /cannot parse/],
    ["rollout.status.nope ? 1 : 2", /<nil>, not bool/],
  ])("%s", (src, error) => {
    expect(() => run(src)).toThrow(error);
  });
});

describe("expr-lang syntax", () => {
  it("operator precedence as expr-lang's table", () => {
    expect(run("1 + 2 * 3 == 7 and 2 > 1 or false")).toBe(true);
    expect(run("rollout.status.nope ?? 1 + 1")).toBe(2);
  });

  it.each([
    ["rollout.spec | len()", /pipes/, false],
    ["1..3", /ranges/, false],
    ["rollout.status.conditions[0:1]", /slices/, false],
    ["{a: 1}", /map literals/, false],
    ["let x = 1; x", /`let`/, false],
    ["rollout.status.phase ==", /unexpected end/, true],
    ["rollout.status.(", /expected a name/, true],
  ])("%s is rejected", (src, message, notExprLang) => {
    let err: unknown;
    try {
      parseExprLang(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprLangSyntaxError);
    expect((err as Error).message).toMatch(message);
    expect((err as ExprLangSyntaxError).notExprLang).toBe(notExprLang);
  });

  it("bounds: long expressions and deep nesting are refused", () => {
    expect(() => parseExprLang(`${"(".repeat(100)}1${")".repeat(100)}`)).toThrow(/nesting deeper than 64/);
    expect(() => parseExprLang(`rollout.a == '${"x".repeat(5000)}'`)).toThrow(/longer than 4000/);
  });
});

describe("matches: Go's RE2 (src/regexp/go-regexp.ts)", () => {
  const when = (src: string) => compileCondition(src, { trigger: "on-x", index: 0, field: "when" });
  const withName = (name: string) => ({ rollout: { metadata: { name } } as KubeObject });

  it.each([
    ["^canary-[a-z]+$", "canary-demo", true],
    ["(?i)^CANARY", "canary-demo", true],
    ["^v[0-9]+\\.[0-9]+$", "v1.2", true],
    // RE2 syntax JavaScript reads otherwise (or not at all): evaluated as Go does
    ["(?s)^a.b$", "a\nb", true],
    ["^[[:alpha:]]+$", "abc", true],
    ["^(?P<app>[a-z]+)-demo$", "canary-demo", true],
    ["^(canary|stable)+-demo$", "canarystable-demo", true],
  ])("%s is evaluated as Go's regexp", (pattern, name, expected) => {
    expect(goRegexp(pattern).matchString(name)).toBe(expected);
    const c = when(`rollout.metadata.name matches '${pattern.replaceAll("\\", "\\\\")}'`);
    expect(c.run(conditionActivation(withName(name)))).toBe(expected);
  });

  it("a pattern backtracking takes exponential time on is evaluated in linear time", () => {
    const c = when("rollout.metadata.name matches '^(a+)+$'");
    expect(c.run(conditionActivation(withName(`${"a".repeat(100_000)}!`)))).toBe(false);
    expect(c.run(conditionActivation(withName("aaa")))).toBe(true);
  });

  it.each([
    ["x(?=y)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"],
    ["(a", "error parsing regexp: missing closing ): `(a`"],
  ])("%s is refused with Go's message", (pattern, message) => {
    expect(() => goRegexp(pattern)).toThrow(message);
  });

  it("a constant pattern Go refuses rejects the condition at load", () => {
    expect(() => when("rollout.metadata.name matches '(a'")).toThrow(
      'trigger "on-x" condition [0] when: error parsing regexp: missing closing ): `(a`',
    );
  });

  it("CEL's matches() (JavaScript's backtracking RegExp in cel-js) is refused at load, naming the alternative", () => {
    expect(() => when("rollout.metadata.name.matches('^(a+)+$')")).toThrow(
      /matches\(\) is not supported in CEL conditions .*expr-lang's `matches` operator/,
    );
    expect(() => when("matches(rollout.metadata.name, 'x') && has(rollout.status)")).toThrow(
      /matches\(\) is not supported in CEL conditions/,
    );
  });
});

describe("fmt %v (oncePer keys)", () => {
  it.each([
    [null, "<nil>"],
    ["abc", "abc"],
    [true, "true"],
    [3, "3"],
    [2.5, "2.5"],
    [123456, "123456"],
    [1234567, "1.234567e+06"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [["a", 1], "[a 1]"],
    [{ b: 1, a: "x" }, "map[a:x b:1]"],
  ])("%j → %s", (value, expected) => {
    expect(formatGoValue(value)).toBe(expected);
  });
});
