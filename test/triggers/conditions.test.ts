import { describe, expect, it } from "vitest";
import {
  ConditionCompileError,
  compileCondition,
  conditionActivation,
  evaluateOncePer,
  evaluateWhen,
} from "../../src/triggers/conditions.ts";
import { rewriteExprLangToCel } from "../../src/triggers/conditions-expr-lang.ts";
import { readObject } from "../config/load-examples.ts";

const at = { trigger: "on-test", index: 0, field: "when" as const };
const when = (src: string, vars: Parameters<typeof conditionActivation>[0]) =>
  evaluateWhen(compileCondition(src, at), conditionActivation(vars));

const canary = readObject("test/config/fixtures/canary-rollout.yaml");

describe("CEL conditions", () => {
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
    expect(rewriteExprLangToCel("x.a == 'and or not' and x.b")).toBe("x.a == 'and or not' && x.b");
  });

  it("rewrites expr-lang any/all/none/count/len closures into CEL macros", () => {
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

  it("a missing field makes the condition false, not an error (expr-lang nil semantics)", () => {
    expect(when("rollout.status.phase == 'Degraded'", { rollout: canary })).toEqual({ holds: false });
    expect(when("analysisRun.status.phase == 'Failed'", { rollout: canary })).toEqual({ holds: false });
    expect(when("rollout.status.pauseConditions != nil", { rollout: canary })).toEqual({ holds: false });
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

  it("compile errors name the trigger and the condition index; unsupported expr-lang says what to write", () => {
    const bad = (src: string) => () => compileCondition(src, { trigger: "on-x", index: 2, field: "when" });
    expect(bad("rollout.status.phase ==")).toThrow(ConditionCompileError);
    expect(bad("rollout.status.phase ==")).toThrow(/^trigger "on-x" condition \[2\] when: /);
    expect(bad("app.status == 'x'")).toThrow(/Unknown variable: app/);
    expect(bad("rollout.status.phase not in ['A']")).toThrow(/`not in`.*write `!\(x in y\)`/);
    expect(bad("rollout.status.phase ?? 'x'")).toThrow(/`\?\?`/);
    expect(bad("time.Now().Sub(x) > 5")).toThrow(/time\.now/);
    expect(bad("rollout.a || rollout.b")).not.toThrow();
  });

  it("oncePer values are strings (ints without the BigInt suffix)", () => {
    const act = conditionActivation({ rollout: canary });
    const v = (src: string) => evaluateOncePer(compileCondition(src, { ...at, field: "oncePer" }), act).value;
    expect(v("rollout.metadata.annotations['rollout.argoproj.io/revision']")).toBe("31");
    expect(v("rollout.status.currentStepIndex")).toBe("0");
    expect(v("rollout.status.nope")).toBe("");
  });
});
