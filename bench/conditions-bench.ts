// Trigger condition evaluation: the expr-lang evaluator (src/triggers/expr-lang-eval.ts) against CEL
// (@marcbachmann/cel-js, still used for conditions written in CEL) on the same controller-written Rollout.
// Prints evaluations per second for each and the ratio. `node bench/conditions-bench.ts [iterations]`.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { compileCondition, conditionActivation, evaluateWhen } from "../src/triggers/conditions.ts";

const rollout = parse(readFileSync("test/config/fixtures/canary-rollout.yaml", "utf8"));
const N = Number(process.argv[2] ?? 200_000);
const at = { trigger: "bench", index: 0, field: "when" as const };

// the same question in each dialect
const PAIRS: [string, string][] = [
  ["rollout.status.phase == 'Healthy'", "rollout.status.phase == 'Healthy'"],
  [
    "rollout.status.currentStepIndex + 1 < len(rollout.spec.strategy.canary.steps)",
    "rollout.status.currentStepIndex + 1 < size(rollout.spec.strategy.canary.steps)",
  ],
  [
    "any(rollout.status.conditions, {.type == 'Progressing' and .status == 'False'})",
    "rollout.status.conditions.exists(c, c.type == 'Progressing' && c.status == 'False')",
  ],
];

function rate(src: string, fresh: boolean): number {
  const cond = compileCondition(src, at);
  let act = conditionActivation({ rollout, now: new Date() });
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    // fresh: a new activation per evaluation (one object update: the conversion is paid once per update)
    if (fresh) act = conditionActivation({ rollout, now: new Date() });
    evaluateWhen(cond, act);
  }
  return N / ((performance.now() - start) / 1000);
}

for (const fresh of [false, true]) {
  console.log(fresh ? "\nnew activation per evaluation (one per update):" : "shared activation:");
  for (const [expr, cel] of PAIRS) {
    rate(expr, fresh); // warm-up
    rate(cel, fresh);
    const a = rate(expr, fresh);
    const b = rate(cel, fresh);
    console.log(
      `  expr-lang ${Math.round(a)}/s  CEL ${Math.round(b)}/s  ratio ${(a / b).toFixed(2)}  ${expr}`,
    );
  }
}
