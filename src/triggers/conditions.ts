// Trigger conditions (`when`, `oncePer`): CEL via @marcbachmann/cel-js, with the expr-lang dialect of upstream
// configs rewritten first (see conditions-expr-lang.ts). Safe by construction: CEL has no I/O, no loops
// beyond macros over the input, and parse limits bound the work.
//
// Variables: `rollout`, `analysisRun` (the objects, or null), `time` ({ now: timestamp }), `context`
// (the ConfigMap `context` map). Integer JSON numbers are CEL ints, so `rollout.status.currentStepIndex + 1`
// works. A field that does not exist makes `when` false (expr-lang's nil semantics), not an error.
import { Environment, EvaluationError } from "@marcbachmann/cel-js";
import type { KubeObject } from "../kube/objects.ts";
import { ExprLangRewriteError, rewriteExprLangToCel } from "./conditions-expr-lang.ts";

export interface ConditionVariables {
  rollout?: KubeObject | null;
  analysisRun?: KubeObject | null;
  /** Evaluation time; `time.now` in expressions. Passed in so evaluation stays pure. */
  now?: Date;
  context?: Record<string, string>;
}

export interface ConditionLocation {
  trigger: string;
  index: number;
  field: "when" | "oncePer";
}

export class ConditionCompileError extends Error {
  readonly location: ConditionLocation;
  constructor(location: ConditionLocation, reason: string) {
    super(`trigger "${location.trigger}" condition [${location.index}] ${location.field}: ${reason}`);
    this.name = "ConditionCompileError";
    this.location = location;
  }
}

export interface CompiledCondition {
  /** As written in the ConfigMap. */
  source: string;
  /** The CEL actually evaluated (after the expr-lang rewrite). */
  cel: string;
  run(vars: Record<string, unknown>): unknown;
}

const env = new Environment({
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerVariable("rollout", "dyn")
  .registerVariable("analysisRun", "dyn")
  .registerVariable("time", "dyn")
  .registerVariable("context", "dyn");

const MAX_CACHED = 2000;
const cache = new Map<string, CompiledCondition>();

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/**
 * Compiles (and type-checks) a condition. Throws ConditionCompileError naming the trigger, the condition index
 * and the field, with the CEL or rewrite error. Results are memoised by source text.
 */
export function compileCondition(source: string, location: ConditionLocation): CompiledCondition {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.trim() === "") throw new ConditionCompileError(location, "empty expression");
  let cel: string;
  try {
    cel = rewriteExprLangToCel(source);
  } catch (err) {
    if (err instanceof ExprLangRewriteError) throw new ConditionCompileError(location, err.message);
    throw err;
  }
  let run: (vars: Record<string, unknown>) => unknown;
  try {
    const parsed = env.parse(cel);
    const checked = env.check(cel);
    if (!checked.valid) throw checked.error ?? new Error("type check failed");
    run = (vars) => parsed(vars);
  } catch (err) {
    const reason = firstLine(err instanceof Error ? err.message : String(err));
    const rewritten = cel !== source ? ` (as CEL: ${cel})` : "";
    throw new ConditionCompileError(location, `${reason}${rewritten}`);
  }
  const compiled: CompiledCondition = { source, cel, run };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Integer JSON numbers become BigInt (CEL int); everything else is copied as is. */
export function toCelValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCelValue(v);
    return out;
  }
  return value;
}

/** Builds the CEL activation once per object so several conditions share the conversion. */
export function conditionActivation(vars: ConditionVariables): Record<string, unknown> {
  return {
    rollout: vars.rollout ? toCelValue(vars.rollout) : null,
    analysisRun: vars.analysisRun ? toCelValue(vars.analysisRun) : null,
    time: { now: vars.now ?? new Date(0) },
    context: vars.context ?? {},
  };
}

function isMissingField(err: unknown): boolean {
  if (!(err instanceof EvaluationError)) return false;
  const code = (err as { code?: string }).code;
  // a missing key, or a field access on null (e.g. analysisRun.status when there is no AnalysisRun)
  return code === "no_such_key" || /No such key|null/i.test(err.message);
}

export interface WhenResult {
  holds: boolean;
  /** Why the condition could not be evaluated (it then counts as false). */
  error?: string;
}

export function evaluateWhen(cond: CompiledCondition, activation: Record<string, unknown>): WhenResult {
  try {
    const value = cond.run(activation);
    if (typeof value === "boolean") return { holds: value };
    if (value === null || value === undefined) return { holds: false };
    return { holds: false, error: `returned ${typeof value}, not a bool` };
  } catch (err) {
    if (isMissingField(err)) return { holds: false };
    return { holds: false, error: firstLine(err instanceof Error ? err.message : String(err)) };
  }
}

/** The oncePer value as a string ("" for null/missing), as upstream formats it with %v. */
export function evaluateOncePer(
  cond: CompiledCondition,
  activation: Record<string, unknown>,
): { value: string; error?: string } {
  try {
    return { value: formatValue(cond.run(activation)) };
  } catch (err) {
    if (isMissingField(err)) return { value: "" };
    return { value: "", error: firstLine(err instanceof Error ? err.message : String(err)) };
  }
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}
