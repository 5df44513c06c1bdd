import { describe, expect, it } from "vitest";
import {
  ConditionCompileError,
  compileCondition,
  conditionActivation,
  evaluateOncePer,
  evaluateWhen,
  MAX_ONCE_PER_CHARS,
} from "../../src/triggers/conditions.ts";
import { readObject } from "../config/load-examples.ts";

const at = { trigger: "on-test", index: 0, field: "when" as const };
const when = (src: string, vars: Parameters<typeof conditionActivation>[0]) =>
  evaluateWhen(compileCondition(src, at), conditionActivation(vars));

const canary = readObject("test/config/fixtures/canary-rollout.yaml");

describe("conditions (expr-lang, and CEL written for this service)", () => {
  it("evaluates CEL over a real controller-written Rollout", () => {
    const r = { rollout: canary };
    expect(when("rollout.status.currentStepIndex == 0", r)).toEqual({ holds: true });
    expect(
      when("rollout.status.currentStepIndex + 1 < size(rollout.spec.strategy.canary.steps)", r).holds,
    ).toBe(true);
    expect(
      when(
        "rollout.status.conditions.exists(c, c.type == 'Progressing' && c.reason == 'ProgressDeadlineExceeded')",
        r,
      ).holds,
    ).toBe(true);
    expect(when("rollout.metadata.labels['app'] == 'canary-demo'", r).holds).toBe(true);
  });

  it("accepts expr-lang and/or/not keywords, but not inside string literals", () => {
    const r = {
      rollout: { metadata: { name: "and or not" }, spec: { paused: false }, status: { phase: "Degraded" } },
    };
    expect(when("rollout.status.phase == 'Degraded' and not rollout.spec.paused", r).holds).toBe(true);
    expect(when("rollout.status.phase == 'Healthy' or rollout.metadata.name == 'and or not'", r).holds).toBe(
      true,
    );
    expect(compileCondition("rollout.a == 'and or not' and rollout.b", at).dialect).toBe("expr-lang");
  });

  it("evaluates expr-lang any/all/none/count/len closures and infix string operators", () => {
    const r = { rollout: canary };
    expect(
      when("any(rollout.status.conditions, {.type == 'Available' and .status == 'True'})", r).holds,
    ).toBe(true);
    expect(when("all(rollout.spec.template.spec.containers, {.imagePullPolicy == 'Always'})", r).holds).toBe(
      true,
    );
    expect(when("none(rollout.status.conditions, {#.type == 'Paused'})", r).holds).toBe(true);
    expect(when("count(rollout.status.conditions, {.status == 'False'}) == 1", r).holds).toBe(true);
    expect(when("len(rollout.spec.strategy.canary.steps) == 8", r).holds).toBe(true);
    expect(when("rollout.status.conditions[1].message contains 'timed out'", r).holds).toBe(true);
    expect(when("rollout.metadata.name startsWith 'canary'", r).holds).toBe(true);
  });

  it("a missing field is nil (expr-lang): comparisons with it hold or not as upstream, no error", () => {
    expect(when("rollout.status.phase == 'Degraded'", { rollout: canary })).toEqual({ holds: false });
    expect(when("rollout.status.pauseConditions != nil", { rollout: canary })).toEqual({ holds: false });
    // no status.abort: nil != true holds, nil == nil holds (upstream sends; the old CEL reading did not)
    expect(canary.status?.abort).toBeUndefined();
    expect(when("rollout.status.abort != true", { rollout: canary })).toEqual({ holds: true });
    expect(when("rollout.status.abort == nil", { rollout: canary })).toEqual({ holds: true });
    expect(when("rollout.status.abort ?? false", { rollout: canary })).toEqual({ holds: false });
    expect(when("rollout.status?.nope?.deeper == nil", { rollout: canary })).toEqual({ holds: true });
  });

  it("member access on nil, `not nil` and ordering nil are errors: false, with the error reported", () => {
    expect(when("analysisRun.status.phase == 'Failed'", { rollout: canary })).toEqual({
      holds: false,
      error: "cannot fetch status from <nil>",
    });
    expect(when("rollout.status.nope.deeper == 1", { rollout: canary })).toEqual({
      holds: false,
      error: "cannot fetch deeper from <nil>",
    });
    expect(when("not rollout.status.abort", { rollout: canary }).error).toMatch(/<nil>, not bool/);
    expect(when("rollout.status.nope > 0", { rollout: canary }).error).toMatch(/invalid operation: <nil> >/);
    // the right side of and/or is the result as it is: a nil there is false, not an error
    expect(when("true and rollout.status.abort", { rollout: canary })).toEqual({ holds: false });
  });

  it("time.Now() and time.Parse() (argo-rollouts' `time` variable) with Go's time methods", () => {
    const vars = { rollout: canary, now: new Date("2019-10-25T06:17:18Z") };
    expect(
      when("time.Now().Sub(time.Parse(rollout.metadata.creationTimestamp)).Minutes() >= 10", vars).holds,
    ).toBe(true);
    expect(when("time.Parse('2019-10-25T06:17:18Z') == time.Now()", vars).holds).toBe(true);
    expect(when("time.Parse('yesterday') == time.Now()", vars).error).toMatch(/cannot parse/);
  });

  it("strings and numbers as expr-lang compares them", () => {
    const r = { rollout: canary };
    expect(when("rollout.status.currentStepIndex == 0.0", r).holds).toBe(true);
    expect(when("rollout.status.phase not in ['Healthy', 'Degraded']", r).holds).toBe(true);
    expect(when("rollout.metadata.name matches '^canary-[a-z]+$'", r).holds).toBe(true);
    expect(when("rollout.status.nope contains 'x'", r)).toEqual({ holds: false });
    expect(
      when("rollout.status.currentStepIndex + 1 < len(rollout.spec.strategy.canary.steps)", r).holds,
    ).toBe(true);
  });

  it("a non-bool result is false with an error", () => {
    expect(when("rollout.metadata.name", { rollout: canary })).toEqual({
      holds: false,
      error: "returned string, not a bool",
    });
  });

  it("time and context variables", () => {
    const vars = { rollout: canary, now: new Date("2019-10-25T06:17:18Z"), context: { env: "prod" } };
    expect(
      when("time.now - timestamp(rollout.metadata.creationTimestamp) >= duration('10m')", vars).holds,
    ).toBe(true);
    expect(when("context.env == 'prod'", vars).holds).toBe(true);
  });

  it("compile errors name the trigger and the condition index; expr-lang we cannot evaluate exactly is rejected", () => {
    const bad = (src: string) => () => compileCondition(src, { trigger: "on-x", index: 2, field: "when" });
    expect(bad("rollout.status.phase ==")).toThrow(ConditionCompileError);
    expect(bad("rollout.status.phase ==")).toThrow(/^trigger "on-x" condition \[2\] when: /);
    expect(bad("app.status == 'x'")).toThrow(/Unknown variable: app/);
    expect(bad("rollout.spec.strategy.canary.steps | len() > 1")).toThrow(
      /expr-lang pipes \(`\|`\) is not supported/,
    );
    expect(bad("rollout.status.currentStepIndex in 1..3")).toThrow(/ranges/);
    expect(bad("trimPrefix(rollout.metadata.name, 'x') == ''")).toThrow(
      /builtin trimPrefix\(\) is not supported/,
    );
    expect(bad("rollout.a || rollout.b")).not.toThrow();
    expect(bad("rollout.status.phase not in ['A']")).not.toThrow();
    expect(bad("rollout.status.phase ?? 'x'")).not.toThrow();
  });

  it("oncePer values are strings (ints without the BigInt suffix)", () => {
    const act = conditionActivation({ rollout: canary });
    const v = (src: string) => evaluateOncePer(compileCondition(src, { ...at, field: "oncePer" }), act).value;
    expect(v("rollout.metadata.annotations['rollout.argoproj.io/revision']")).toBe("31");
    expect(v("rollout.status.currentStepIndex")).toBe("0");
    // fmt.Sprintf("%v", nil), as upstream keys oncePer
    expect(v("rollout.status.nope")).toBe("<nil>");
    expect(v("rollout.spec.replicas * 1000000")).toBe("5e+06");
  });
});

describe("conditions: an evaluation's work is bounded", () => {
  // A tenant writes both the condition (its namespace's ConfigMap) and the lists it runs over (its Rollout).
  const env = Array.from({ length: 3000 }, (_, i) => ({ name: `E${i}`, value: "x" }));
  const rollout = {
    ...canary,
    spec: { ...canary.spec, template: { spec: { containers: [{ name: "app", env }] } } },
  };
  const list = "rollout.spec.template.spec.containers[0].env";

  it("CEL: a single pass over a long list is evaluated", () => {
    expect(when(`${list}.all(a, a.name != '')`, { rollout })).toEqual({ holds: true });
    expect(when(`${list}.exists(a, a.name == 'E2999')`, { rollout })).toEqual({ holds: true });
  });

  it("CEL: nested passes (3000³ evaluations) stop at the read budget, reported, instead of holding the process", () => {
    const nested = `${list}.all(a, ${list}.all(b, ${list}.all(c, a.name != '' && b.name != '' && c.name != '')))`;
    const result = when(nested, { rollout });
    expect(result.holds).toBe(false);
    expect(result.error).toMatch(
      /more than 200000 reads of list elements and fields \(CEL evaluation budget\)/,
    );
    // `in` on a list inside a pass reads the list each time
    expect(when(`${list}.all(a, a in ${list})`, { rollout }).error).toMatch(/CEL evaluation budget/);
    // the budget is per evaluation: the next condition on the same object starts afresh
    expect(when(`${list}.all(a, a.name != '')`, { rollout })).toEqual({ holds: true });
  });

  it("expr-lang: nested predicates stop at the iteration budget", () => {
    const result = when(`all(${list}, {all(${list}, {.name != ''})})`, { rollout });
    expect(result.holds).toBe(false);
    expect(result.error).toMatch(/more than 10000 predicate evaluations/);
  });
});

describe("oncePer values are bounded (they are saved with the object's state and go into transition ids)", () => {
  const env = (n: number, value: string) => Array.from({ length: n }, (_, i) => ({ name: `E${i}`, value }));
  const withEnv = (list: object[]) => ({
    rollout: {
      ...canary,
      spec: { ...canary.spec, template: { spec: { containers: [{ name: "app", env: list }] } } },
    },
  });
  const oncePer = (src: string, vars: Parameters<typeof conditionActivation>[0]) =>
    evaluateOncePer(compileCondition(src, { ...at, field: "oncePer" }), conditionActivation(vars));

  it("a short value is kept as it is; a long one is its start and a SHA-256 of the whole, one per distinct value", () => {
    expect(oncePer("rollout.metadata.name", { rollout: canary })).toEqual({ value: "canary-demo" });
    const a = oncePer("rollout.spec.template", withEnv(env(20_000, "x"))).value;
    const again = oncePer("rollout.spec.template", withEnv(env(20_000, "x"))).value;
    const b = oncePer("rollout.spec.template", withEnv(env(20_000, "y"))).value;
    expect(a.length).toBeLessThanOrEqual(MAX_ONCE_PER_CHARS);
    expect(a).toMatch(
      /^map\[spec:map\[containers:\[map\[env:\[map\[name:E0 value:x\].*…sha256:[0-9a-f]{64}$/,
    );
    expect(again).toBe(a);
    expect(b).not.toBe(a);
    // the same for CEL
    const cel = oncePer(
      "has(rollout.spec.template) ? rollout.spec.template : null",
      withEnv(env(20_000, "x")),
    );
    expect(cel.value.length).toBeLessThanOrEqual(MAX_ONCE_PER_CHARS);
  });
});
