// Trigger conditions (`when`, `oncePer`) in two dialects:
//   - expr-lang, what upstream configs are written in, evaluated by our own bounded evaluator with
//     expr-lang's semantics (expr-lang-parse.ts, expr-lang-eval.ts): missing fields are nil, `!= true` holds
//     for nil, member access on nil is an error (the condition is false and the error is reported), `?.`,
//     `??`, `time.Now()`, `time.Parse()`. Expr-lang that we cannot evaluate exactly (pipes, ranges, slices,
//     map literals, `let`, builtins not listed in SUPPORTED_BUILTINS) is rejected at load with its name.
//   - CEL (@marcbachmann/cel-js), for conditions written for this service in CEL (`has()`, `size()`,
//     `.exists()`, `timestamp()`, …): an expression is CEL only when it is not expr-lang we can evaluate —
//     a syntax expr-lang does not have, a method call on data, a function expr-lang does not have, or a
//     variable expr-lang would not know. In CEL a missing field makes `when` false (no error).
//
// Variables: `rollout`, `analysisRun` (the objects, or null), `analysisRuns` (upstream's: runs of the
// Rollout's current revision, newest first, when the caller has them), `time` (expr-lang: `time.Now()`,
// `time.Parse(s)`; CEL: `time.now`, a timestamp), `context` (the ConfigMap `context` map).
import { createHash } from "node:crypto";
import { Environment, EvaluationError } from "@marcbachmann/cel-js";
import type { KubeObject } from "../kube/objects.ts";
import { checkConditionClock, conditionDeadlinePassed } from "./condition-deadline.ts";
import {
  ExprEvalError,
  evalExpr,
  formatGoValue,
  GoFunc,
  GoTime,
  goRegexp,
  parseRfc3339,
  SUPPORTED_BUILTINS,
} from "./expr-lang-eval.ts";
import { ExprLangSyntaxError, type ExprNode, parseExprLang, walkExpr } from "./expr-lang-parse.ts";

export interface ConditionVariables {
  rollout?: KubeObject | null;
  analysisRun?: KubeObject | null;
  analysisRuns?: KubeObject[] | null;
  /** Evaluation time: `time.Now()` / `time.now`. Passed in so evaluation stays pure. */
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

/** The variables of one evaluation, converted per dialect on first use (shared by several conditions). */
export interface ConditionActivation {
  readonly vars: ConditionVariables;
  exprLang(): Record<string, unknown>;
  cel(): Record<string, unknown>;
}

export interface CompiledCondition {
  /** As written in the ConfigMap. */
  source: string;
  dialect: "expr-lang" | "cel";
  /** CEL conditions: the CEL evaluated (the source). */
  cel?: string;
  /** The variables the expression reads (e.g. `rollout`, `analysisRun`). */
  variables: ReadonlySet<string>;
  run(activation: ConditionActivation): unknown;
}

/** Variables an expr-lang condition may use; any other name is not expr-lang written for us (CEL is tried). */
export const CONDITION_VARIABLES = new Set(["rollout", "analysisRun", "analysisRuns", "time", "context"]);

/** expr-lang's builtins (v1.16 builtin/builtin.go): a call to one we do not evaluate is rejected, not sent to CEL. */
const EXPR_LANG_BUILTINS = new Set(
  (
    "all none any one filter map find findIndex findLast findLastIndex count sum groupBy sortBy reduce len type " +
    "abs ceil floor round int float string trim trimPrefix trimSuffix upper lower split splitAfter replace repeat " +
    "join indexOf lastIndexOf hasPrefix hasSuffix max min mean median toJSON fromJSON toBase64 fromBase64 now " +
    "duration date timezone first last get take keys values toPairs fromPairs reverse concat flatten uniq sort " +
    "bitand bitor bitxor bitnand bitnot bitshl bitshr bitushr"
  ).split(" "),
);

/** Methods of Go values conditions reach through `time` (time.Time, time.Duration). */
const GO_METHODS = new Set([
  "Sub",
  "Add",
  "Before",
  "After",
  "Equal",
  "Unix",
  "UnixMilli",
  "UTC",
  "IsZero",
  "Hours",
  "Minutes",
  "Seconds",
  "Milliseconds",
  "Nanoseconds",
  "Now",
  "Parse",
]);

const celEnv = new Environment({
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerVariable("rollout", "dyn")
  .registerVariable("analysisRun", "dyn")
  .registerVariable("analysisRuns", "dyn")
  .registerVariable("time", "dyn")
  .registerVariable("context", "dyn");

const MAX_CACHED = 2000;
const cache = new Map<string, CompiledCondition>();

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Why a parsed expr-lang tree is not ours to evaluate as expr-lang, or undefined when it is. */
function notOurExprLang(ast: ExprNode): { cel: string } | { reject: string } | undefined {
  for (const n of walkExpr(ast)) {
    if (n.t === "call" && n.callee.t === "ident") {
      const name = n.callee.name;
      if (CONDITION_VARIABLES.has(name)) continue;
      if (!EXPR_LANG_BUILTINS.has(name)) return { cel: `unknown function ${name}()` };
      if (!SUPPORTED_BUILTINS.has(name))
        return { reject: `expr-lang builtin ${name}() is not supported in conditions` };
    }
    if (n.t === "call" && n.callee.t === "member") {
      const prop = n.callee.prop;
      if (prop.t !== "str" || !GO_METHODS.has(prop.v)) return { cel: "method call on data" };
    }
    if (n.t === "ident" && !CONDITION_VARIABLES.has(n.name)) return { cel: `unknown variable ${n.name}` };
    // a constant pattern is compiled when the condition is (as expr-lang does): a bad one fails at load
    if (n.t === "binary" && n.op === "matches" && n.right.t === "str") {
      try {
        goRegexp(n.right.v);
      } catch (err) {
        return { reject: (err as Error).message };
      }
    }
  }
  return undefined;
}

function variablesOf(ast: ExprNode): Set<string> {
  const out = new Set<string>();
  for (const n of walkExpr(ast)) if (n.t === "ident") out.add(n.name);
  return out;
}

/** Whether a CEL syntax tree calls `matches` (as a function or a method). */
function callsMatches(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(callsMatches);
  if (node === null || typeof node !== "object") return false;
  const { op, args } = node as { op?: unknown; args?: unknown };
  if ((op === "call" || op === "rcall") && Array.isArray(args) && args[0] === "matches") return true;
  return callsMatches(args);
}

function compileCel(source: string): CompiledCondition {
  const parsed = celEnv.parse(source);
  // cel-js evaluates matches() with JavaScript's backtracking RegExp: a pattern such as `(a+)+$` could hold the
  // process for minutes (cel-go, like expr-lang, uses RE2). Refused at load; expr-lang's operator is RE2.
  if (callsMatches((parsed as { ast?: unknown }).ast)) {
    throw new Error(
      "matches() is not supported in CEL conditions (JavaScript regular expressions, not RE2): use expr-lang's `matches` operator, which is Go's RE2 as upstream evaluates it",
    );
  }
  const checked = celEnv.check(source);
  if (!checked.valid) throw checked.error ?? new Error("type check failed");
  const variables = new Set([...CONDITION_VARIABLES].filter((v) => referencesIdentifier(source, v)));
  return {
    source,
    dialect: "cel",
    cel: source,
    variables,
    run: (a) => {
      const vars = a.cel();
      celReads = 0;
      return parsed(vars);
    },
  };
}

/**
 * Compiles a condition. Throws ConditionCompileError naming the trigger, the condition index and the field,
 * with the reason. Results are memoised by source text.
 */
export function compileCondition(source: string, location: ConditionLocation): CompiledCondition {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.trim() === "") throw new ConditionCompileError(location, "empty expression");
  let compiled: CompiledCondition;
  let ast: ExprNode | undefined;
  let exprError: string | undefined;
  try {
    ast = parseExprLang(source);
  } catch (err) {
    if (!(err instanceof ExprLangSyntaxError)) throw err;
    if (!err.notExprLang) throw new ConditionCompileError(location, err.message);
    exprError = err.message;
  }
  const verdict = ast ? notOurExprLang(ast) : undefined;
  if (verdict && "reject" in verdict) throw new ConditionCompileError(location, verdict.reject);
  if (ast && !verdict) {
    const tree = ast;
    compiled = {
      source,
      dialect: "expr-lang",
      variables: variablesOf(tree),
      run: (a) => evalExpr(tree, a.exprLang()),
    };
  } else {
    try {
      compiled = compileCel(source);
    } catch (err) {
      const celReason = firstLine(err instanceof Error ? err.message : String(err));
      const reason = exprError ? `${exprError} (as expr-lang); ${celReason} (as CEL)` : celReason;
      throw new ConditionCompileError(location, reason);
    }
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Whether a CEL source reads a variable (outside string literals, not as a field). */
function referencesIdentifier(source: string, name: string): boolean {
  const code = source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '""');
  return new RegExp(`(^|[^.\\w])${name}\\b`).test(code);
}

/**
 * Reads of list elements and map fields one CEL evaluation may make. cel-js has no budget of its own, and a
 * tenant controls both a condition and its Rollout's lists: `env.all(a, env.all(b, …))` over 3,000 entries
 * held the process 5 s, three levels deep for hours. Single passes over the largest lists an object can hold stay
 * far below it; the expr-lang evaluator has its own bound (MAX_ITERATIONS in expr-lang-eval.ts).
 */
export const MAX_CEL_READS = 200_000;
let celReads = 0;

/** Counts every property read of a CEL value (a list's elements and length, a map's fields). */
const countReads: ProxyHandler<object> = {
  get(target, key, receiver) {
    checkConditionClock();
    if (++celReads > MAX_CEL_READS) {
      throw new Error(`more than ${MAX_CEL_READS} reads of list elements and fields (CEL evaluation budget)`);
    }
    return Reflect.get(target, key, receiver);
  },
};

/**
 * Integer JSON numbers become BigInt (CEL int); everything else is copied as is. Lists and maps are read
 * through a proxy that counts against the evaluation's budget (MAX_CEL_READS).
 */
export function toCelValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return new Proxy(value.map(toCelValue), countReads);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCelValue(v);
    return new Proxy(out, countReads);
  }
  return value;
}

/**
 * The object as notifications-engine sees it: Argo Rollouts marshals its typed objects to JSON, where `spec`
 * and `status` are structs, so they are always present (`{}` when empty) and `rollout.status.phase` is nil,
 * not an error, on a Rollout the controller has not written yet.
 */
function asMarshalled(obj: KubeObject | null | undefined): KubeObject | null {
  if (!obj) return null;
  if (obj.spec !== undefined && obj.status !== undefined) return obj;
  return { ...obj, spec: obj.spec ?? {}, status: obj.status ?? {} };
}

/** Builds the activation once per object so several conditions share the conversions. */
export function conditionActivation(vars: ConditionVariables): ConditionActivation {
  let expr: Record<string, unknown> | undefined;
  let cel: Record<string, unknown> | undefined;
  const now = vars.now ?? new Date(0);
  return {
    vars,
    exprLang: () => {
      expr ??= {
        rollout: asMarshalled(vars.rollout),
        analysisRun: asMarshalled(vars.analysisRun),
        analysisRuns: vars.analysisRuns?.map(asMarshalled) ?? null,
        time: {
          Now: new GoFunc("time.Now", () => new GoTime(now.getTime())),
          Parse: new GoFunc("time.Parse", (args) => parseRfc3339(args[0])),
        },
        context: vars.context ?? {},
      };
      return expr;
    },
    cel: () => {
      cel ??= {
        rollout: vars.rollout ? toCelValue(vars.rollout) : null,
        analysisRun: vars.analysisRun ? toCelValue(vars.analysisRun) : null,
        analysisRuns: vars.analysisRuns ? toCelValue(vars.analysisRuns) : null,
        time: { now },
        context: vars.context ?? {},
      };
      return cel;
    },
  };
}

function isCelMissingField(err: unknown): boolean {
  if (!(err instanceof EvaluationError)) return false;
  const code = (err as { code?: string }).code;
  // a missing key, or a field access on null (e.g. analysisRun.status when there is no AnalysisRun)
  return code === "no_such_key" || /No such key|null/i.test(err.message);
}

export interface WhenResult {
  holds: boolean;
  /** Why the condition could not be evaluated (it then counts as false); upstream logs these too. */
  error?: string;
  /**
   * Not evaluated (or stopped) because the conditions' deadline passed (condition-deadline.ts: the namespace's
   * render share, the detection's time limit): unlike an error of the expression, it says nothing about the
   * object, so the caller keeps what it knew before instead of recording false.
   */
  late?: true;
}

function errorOf(cond: CompiledCondition, err: unknown): string | undefined {
  if (cond.dialect === "cel" && isCelMissingField(err)) return undefined;
  if (err instanceof ExprEvalError || err instanceof EvaluationError || err instanceof Error)
    return firstLine(err.message);
  return String(err);
}

/** expr-lang: a result that is not a bool is false (upstream: `val.(bool)` not ok), not an error. */
export function evaluateWhen(cond: CompiledCondition, activation: ConditionActivation): WhenResult {
  const late = conditionDeadlinePassed();
  if (late) return { holds: false, error: late, late: true };
  try {
    const value = cond.run(activation);
    if (typeof value === "boolean") return { holds: value };
    if (value === null || value === undefined) return { holds: false };
    return {
      holds: false,
      error: `returned ${typeof value === "bigint" ? "int" : typeof value}, not a bool`,
    };
  } catch (err) {
    // stopped by the deadline (the evaluators throw its reason; a library may wrap it)
    const stopped = conditionDeadlinePassed();
    if (stopped) return { holds: false, error: stopped, late: true };
    const error = errorOf(cond, err);
    return error === undefined ? { holds: false } : { holds: false, error };
  }
}

/**
 * The oncePer value as upstream makes it a key: fmt.Sprintf("%v", value) ("<nil>" for nil). On an error the
 * value is "" (upstream then keys the condition without oncePer).
 */
export function evaluateOncePer(
  cond: CompiledCondition,
  activation: ConditionActivation,
): { value: string; error?: string; late?: true } {
  const late = conditionDeadlinePassed();
  if (late) return { value: "", error: late, late: true };
  try {
    const v = cond.run(activation);
    return { value: boundedOncePerValue(cond.dialect === "cel" ? formatCelValue(v) : formatGoValue(v)) };
  } catch (err) {
    const stopped = conditionDeadlinePassed();
    if (stopped) return { value: "", error: stopped, late: true };
    const error = errorOf(cond, err);
    return error === undefined ? { value: "" } : { value: "", error };
  }
}

/**
 * Characters of an oncePer value kept as they are. The value goes into the object's saved state (in memory and
 * in Redis, written at every change of the object) and into transition ids, logs and history: `oncePer:
 * rollout.spec.template` over a Rollout with a long env list made each ~870 KB. A longer value is its first 64
 * characters and a SHA-256 of the whole: still one key per distinct value, as upstream's.
 */
export const MAX_ONCE_PER_CHARS = 200;

export function boundedOncePerValue(value: string): string {
  if (value.length <= MAX_ONCE_PER_CHARS) return value;
  return `${value.slice(0, 64)}…sha256:${createHash("sha256").update(value).digest("hex")}`;
}

function formatCelValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}
