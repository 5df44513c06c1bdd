// Evaluates parsed expr-lang (expr-lang-parse.ts) with the semantics notifications-engine gets from
// expr-lang v1.16 when it runs a condition over the object as map[string]interface{} (no typed env):
//   - a missing map key is nil; member access on nil (or on a number, bool, string) is an error;
//   - `?.` makes the rest of the chain nil when its left side is nil; `a ?? b` is b when a is nil;
//   - `==`/`!=` compare numbers across int/float, anything else deeply; nil == nil; nil != true;
//   - `<`, `>`, … on nil or mixed types is an error; `and`/`or`/`not`/`?:` need a bool operand (error
//     otherwise), and the right side of and/or is returned as it is;
//   - `contains`/`startsWith`/`endsWith`/`matches` are false when either side is nil; `in` on nil is false;
//   - `time.Now()`, `time.Parse(rfc3339)` (argo-rollouts' `time` variable) with Go's time/duration methods.
// Errors are ExprEvalError (the condition is then false and the error is reported by the caller). Pure: the
// evaluation time comes in the variables. Bounded: closures over lists are capped, like the parser.
import { GoRegexp, GoRegexpSyntaxError } from "../regexp/go-regexp.ts";
import { checkConditionClock } from "./condition-deadline.ts";
import type { ExprNode } from "./expr-lang-parse.ts";

export class ExprEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExprEvalError";
  }
}

/** A Go time.Time (ms precision plus nanoseconds within the ms, enough for RFC3339Nano input). */
export class GoTime {
  readonly ms: number;
  readonly subMsNanos: number;
  constructor(ms: number, subMsNanos = 0) {
    this.ms = ms;
    this.subMsNanos = subMsNanos;
  }
  get unixNanos(): number {
    return this.ms * 1e6 + this.subMsNanos;
  }
}

/** A Go time.Duration (nanoseconds). */
export class GoDuration {
  readonly ns: number;
  constructor(ns: number) {
    this.ns = ns;
  }
}

/** A Go function value (`time.Now`, a bound method). */
export class GoFunc {
  readonly name: string;
  readonly fn: (args: unknown[]) => unknown;
  constructor(name: string, fn: (args: unknown[]) => unknown) {
    this.name = name;
    this.fn = fn;
  }
}

export type ExprVars = Record<string, unknown>;

const MAX_ITERATIONS = 10_000;

interface Scope {
  vars: ExprVars;
  pointer?: unknown;
  budget: { n: number };
}

class ShortCircuit {}
const SHORT = new ShortCircuit();

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof GoTime) return "time.Time";
  if (v instanceof GoDuration) return "time.Duration";
  if (v instanceof GoFunc) return "func";
  return "map[string]interface {}";
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  !(v instanceof GoTime) &&
  !(v instanceof GoDuration) &&
  !(v instanceof GoFunc);

const nil = (v: unknown) => v === null || v === undefined;

export function evalExpr(node: ExprNode, vars: ExprVars): unknown {
  return ev(node, { vars, budget: { n: 0 } });
}

function ev(node: ExprNode, s: Scope): unknown {
  switch (node.t) {
    case "nil":
      return null;
    case "bool":
    case "num":
    case "str":
      return node.v;
    case "ident":
      return Object.hasOwn(s.vars, node.name) ? (s.vars[node.name] ?? null) : null;
    case "pointer":
      return node.field === undefined ? s.pointer : fetch(s.pointer, node.field);
    case "array":
      return node.items.map((i) => ev(i, s));
    case "chain":
      try {
        return ev(node.node, s);
      } catch (e) {
        if (e === SHORT) return null;
        throw e;
      }
    case "member": {
      const obj = ev(node.obj, s);
      if (node.optional && nil(obj)) throw SHORT;
      return fetch(obj, ev(node.prop, s));
    }
    case "closure":
      throw new ExprEvalError("a predicate is only allowed as a builtin's argument");
    case "call":
      return call(node, s);
    case "unary": {
      const v = ev(node.arg, s);
      if (node.op === "not") {
        if (typeof v !== "boolean")
          throw new ExprEvalError(`interface conversion: interface {} is ${typeName(v)}, not bool`);
        return !v;
      }
      if (typeof v === "number") return node.op === "-" ? -v : v;
      if (v instanceof GoDuration) return node.op === "-" ? new GoDuration(-v.ns) : v;
      throw new ExprEvalError(`invalid operation: ${node.op} ${typeName(v)}`);
    }
    case "cond": {
      const test = ev(node.test, s);
      if (typeof test !== "boolean")
        throw new ExprEvalError(`interface conversion: interface {} is ${typeName(test)}, not bool`);
      return test ? ev(node.then, s) : ev(node.else, s);
    }
    case "binary":
      return binary(node.op, node.left, node.right, s);
  }
}

function fetch(from: unknown, key: unknown): unknown {
  if (nil(from)) throw new ExprEvalError(`cannot fetch ${formatGoValue(key)} from <nil>`);
  if (Array.isArray(from) || typeof from === "string") {
    if (typeof key !== "number" || !Number.isInteger(key)) {
      throw new ExprEvalError(`cannot fetch ${formatGoValue(key)} from ${typeName(from)}`);
    }
    const i = key < 0 ? from.length + key : key;
    if (i < 0 || i >= from.length) {
      throw new ExprEvalError(`index out of range: ${i} (array length is ${from.length})`);
    }
    return typeof from === "string" ? from.charCodeAt(i) : (from[i] ?? null);
  }
  if (from instanceof GoTime || from instanceof GoDuration) {
    if (typeof key === "string") {
      const m = goMethod(from, key);
      if (m) return m;
    }
    throw new ExprEvalError(`cannot fetch ${formatGoValue(key)} from ${typeName(from)}`);
  }
  if (isMap(from)) {
    if (typeof key !== "string") {
      throw new ExprEvalError(`reflect: value of type ${typeName(key)} is not assignable to type string`);
    }
    return Object.hasOwn(from, key) ? (from[key] ?? null) : null;
  }
  throw new ExprEvalError(`cannot fetch ${formatGoValue(key)} from ${typeName(from)}`);
}

function toBool(v: unknown): boolean {
  if (typeof v !== "boolean")
    throw new ExprEvalError(`interface conversion: interface {} is ${typeName(v)}, not bool`);
  return v;
}

function binary(op: string, l: ExprNode, r: ExprNode, s: Scope): unknown {
  if (op === "and" || op === "&&") return toBool(ev(l, s)) ? ev(r, s) : false;
  if (op === "or" || op === "||") return toBool(ev(l, s)) ? true : ev(r, s);
  if (op === "??") {
    const a = ev(l, s);
    return nil(a) ? ev(r, s) : a;
  }
  const a = ev(l, s);
  const b = ev(r, s);
  switch (op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "<":
    case ">":
    case "<=":
    case ">=":
      return compare(op, a, b);
    case "in":
      return inOp(a, b);
    case "contains":
    case "startsWith":
    case "endsWith": {
      if (nil(a) || nil(b)) return false;
      if (typeof a !== "string" || typeof b !== "string") {
        throw new ExprEvalError(
          `interface conversion: interface {} is ${typeName(typeof a !== "string" ? a : b)}, not string`,
        );
      }
      return op === "contains" ? a.includes(b) : op === "startsWith" ? a.startsWith(b) : a.endsWith(b);
    }
    case "matches": {
      if (nil(a) || nil(b)) return false;
      if (typeof a !== "string" || typeof b !== "string") throw new ExprEvalError("matches needs strings");
      return matches(a, b);
    }
    default:
      return arithmetic(op, a, b);
  }
}

export function equal(a: unknown, b: unknown): boolean {
  if (nil(a) || nil(b)) return nil(a) && nil(b);
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (a instanceof GoTime && b instanceof GoTime) return a.unixNanos === b.unixNanos;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  // reflect.DeepEqual over JSON values: same type and same content (a float64 1 is not an int 1 in Go's
  // DeepEqual, but JSON values inside objects are all float64, so numbers compare by value here)
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (nil(a) || nil(b)) return nil(a) && nil(b);
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  return equal(a, b);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  let x: number | string;
  let y: number | string;
  if (typeof a === "number" && typeof b === "number") [x, y] = [a, b];
  else if (typeof a === "string" && typeof b === "string") [x, y] = [a, b];
  else if (a instanceof GoTime && b instanceof GoTime) [x, y] = [a.unixNanos, b.unixNanos];
  else if (a instanceof GoDuration && b instanceof GoDuration) [x, y] = [a.ns, b.ns];
  else throw new ExprEvalError(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

function inOp(needle: unknown, haystack: unknown): boolean {
  if (nil(haystack)) return false;
  if (Array.isArray(haystack)) return haystack.some((v) => equal(v, needle));
  if (isMap(haystack)) {
    if (nil(needle)) return Object.hasOwn(haystack, "");
    if (typeof needle !== "string") {
      throw new ExprEvalError(`reflect: value of type ${typeName(needle)} is not assignable to type string`);
    }
    return Object.hasOwn(haystack, needle);
  }
  throw new ExprEvalError(`operator "in" not defined on ${typeName(haystack)}`);
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") {
    switch (op) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      case "/":
        return a / b;
      case "%":
        if (!Number.isInteger(a) || !Number.isInteger(b)) {
          throw new ExprEvalError(`invalid operation: ${typeName(a)} % ${typeName(b)}`);
        }
        if (b === 0) throw new ExprEvalError("integer divide by zero");
        return a % b;
      case "**":
      case "^":
        return a ** b;
    }
  }
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (a instanceof GoTime && b instanceof GoTime && op === "-")
    return new GoDuration(a.unixNanos - b.unixNanos);
  if (a instanceof GoTime && b instanceof GoDuration && (op === "+" || op === "-")) {
    return timeFromNanos(a.unixNanos + (op === "+" ? b.ns : -b.ns));
  }
  if (a instanceof GoDuration && b instanceof GoDuration && (op === "+" || op === "-")) {
    return new GoDuration(op === "+" ? a.ns + b.ns : a.ns - b.ns);
  }
  throw new ExprEvalError(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
}

function timeFromNanos(ns: number): GoTime {
  const ms = Math.floor(ns / 1e6);
  return new GoTime(ms, ns - ms * 1e6);
}

function goMethod(v: GoTime | GoDuration, name: string): GoFunc | undefined {
  const arg = <T>(args: unknown[], cls: new (...a: never[]) => T, what: string): T => {
    if (args.length !== 1 || !(args[0] instanceof cls)) throw new ExprEvalError(`${name} needs a ${what}`);
    return args[0];
  };
  if (v instanceof GoTime) {
    const methods: Record<string, (args: unknown[]) => unknown> = {
      Sub: (a) => new GoDuration(v.unixNanos - arg(a, GoTime, "time.Time").unixNanos),
      Add: (a) => timeFromNanos(v.unixNanos + arg(a, GoDuration, "time.Duration").ns),
      Before: (a) => v.unixNanos < arg(a, GoTime, "time.Time").unixNanos,
      After: (a) => v.unixNanos > arg(a, GoTime, "time.Time").unixNanos,
      Equal: (a) => v.unixNanos === arg(a, GoTime, "time.Time").unixNanos,
      Unix: () => Math.floor(v.ms / 1000),
      UnixMilli: () => v.ms,
      UTC: () => v,
      IsZero: () => v.ms === Date.UTC(1, 0, 1) && v.subMsNanos === 0,
    };
    const m = methods[name];
    return m ? new GoFunc(name, m) : undefined;
  }
  const methods: Record<string, () => unknown> = {
    Hours: () => v.ns / 3.6e12,
    Minutes: () => v.ns / 6e10,
    Seconds: () => v.ns / 1e9,
    Milliseconds: () => Math.trunc(v.ns / 1e6),
    Nanoseconds: () => v.ns,
  };
  const m = methods[name];
  return m ? new GoFunc(name, () => m()) : undefined;
}

/** Go's time.Parse(time.RFC3339, s): panics (→ error) on anything else. */
export function parseRfc3339(s: unknown): GoTime {
  if (typeof s !== "string") throw new ExprEvalError(`time.Parse needs a string, got ${typeName(s)}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m)
    throw new ExprEvalError(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const frac = (m[7] ?? ".").slice(1).padEnd(9, "0");
  const base = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase()}`);
  if (Number.isNaN(base)) throw new ExprEvalError(`parsing time ${JSON.stringify(s)}: out of range`);
  const nanos = Number(frac);
  return new GoTime(base + Math.floor(nanos / 1e6), nanos % 1e6);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};

/** Go's time.ParseDuration ("1h30m", "-1.5s", "300ms"). */
export function parseGoDuration(s: unknown): GoDuration {
  if (typeof s !== "string") throw new ExprEvalError(`duration needs a string, got ${typeName(s)}`);
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (s === "0") return new GoDuration(0);
  if (!m) throw new ExprEvalError(`time: invalid duration ${JSON.stringify(s)}`);
  let ns = 0;
  for (const part of s.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ns += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  }
  return new GoDuration(m[1] === "-" ? -ns : ns);
}

/**
 * Go's regexp (RE2: src/regexp/go-regexp.ts), as expr-lang compiles `matches` patterns: Go's syntax and
 * semantics, linear time in the subject. A pattern Go refuses fails with Go's message.
 */
export function goRegexp(pattern: string): GoRegexp {
  try {
    return GoRegexp.compile(pattern);
  } catch (err) {
    if (err instanceof GoRegexpSyntaxError) throw new ExprEvalError(err.message);
    throw err;
  }
}

function matches(subject: string, pattern: string): boolean {
  return goRegexp(pattern).matchString(subject);
}

// --- builtins ------------------------------------------------------------------------------------------

const PREDICATES = new Set(["all", "any", "none", "one", "filter", "map", "count"]);

/** expr-lang builtins evaluated here; any other builtin name is rejected when the condition is compiled. */
export const SUPPORTED_BUILTINS = new Set([
  ...PREDICATES,
  "len",
  "abs",
  "int",
  "float",
  "string",
  "lower",
  "upper",
  "trim",
  "hasPrefix",
  "hasSuffix",
  "first",
  "last",
  "keys",
  "values",
  "now",
  "duration",
]);

function call(node: Extract<ExprNode, { t: "call" }>, s: Scope): unknown {
  if (node.callee.t === "ident" && !Object.hasOwn(s.vars, node.callee.name)) {
    return builtin(node.callee.name, node.args, s);
  }
  const fn = ev(node.callee, s);
  if (!(fn instanceof GoFunc)) throw new ExprEvalError(`${typeName(fn)} is not a function`);
  return fn.fn(node.args.map((a) => ev(a, s)));
}

function builtin(name: string, argNodes: ExprNode[], s: Scope): unknown {
  if (PREDICATES.has(name)) {
    const [listNode, pred] = argNodes;
    if (argNodes.length !== 2 || pred?.t !== "closure")
      throw new ExprEvalError(`${name} needs a list and a predicate`);
    const list = ev(listNode!, s);
    if (!Array.isArray(list))
      throw new ExprEvalError(`invalid argument for ${name} (type ${typeName(list)})`);
    const results: unknown[] = [];
    for (const item of list) {
      if (++s.budget.n > MAX_ITERATIONS)
        throw new ExprEvalError(`more than ${MAX_ITERATIONS} predicate evaluations`);
      checkConditionClock();
      const v = ev(pred.body, { ...s, pointer: item });
      results.push(name === "map" ? v : toBool(v));
    }
    const bools = results as boolean[];
    switch (name) {
      case "all":
        return bools.every(Boolean);
      case "any":
        return bools.some(Boolean);
      case "none":
        return !bools.some(Boolean);
      case "one":
        return bools.filter(Boolean).length === 1;
      case "filter":
        return list.filter((_, i) => bools[i]);
      case "count":
        return bools.filter(Boolean).length;
      default:
        return results;
    }
  }
  const args = argNodes.map((a) => ev(a, s));
  const one = (): unknown => {
    if (args.length !== 1) throw new ExprEvalError(`${name} needs 1 argument, got ${args.length}`);
    return args[0];
  };
  const str = (): string => {
    const v = one();
    if (typeof v !== "string") throw new ExprEvalError(`invalid argument for ${name} (type ${typeName(v)})`);
    return v;
  };
  switch (name) {
    case "len": {
      const v = one();
      if (typeof v === "string") return [...new TextEncoder().encode(v)].length;
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw new ExprEvalError(`invalid argument for len (type ${typeName(v)})`);
    }
    case "abs": {
      const v = one();
      if (typeof v !== "number") throw new ExprEvalError(`invalid argument for abs (type ${typeName(v)})`);
      return Math.abs(v);
    }
    case "int": {
      const v = one();
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "string" && /^[+-]?\d+$/.test(v.trim())) return Number(v.trim());
      throw new ExprEvalError(`invalid argument for int (type ${typeName(v)})`);
    }
    case "float": {
      const v = one();
      if (typeof v === "number") return v;
      if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
      throw new ExprEvalError(`invalid argument for float (type ${typeName(v)})`);
    }
    case "string":
      return formatGoValue(one());
    case "lower":
      return str().toLowerCase();
    case "upper":
      return str().toUpperCase();
    case "trim":
      if (args.length === 1) return str().trim();
      throw new ExprEvalError("trim with a cutset is not supported");
    case "hasPrefix":
    case "hasSuffix": {
      const [a, b] = args;
      if (typeof a !== "string" || typeof b !== "string")
        throw new ExprEvalError(`${name} needs two strings`);
      return name === "hasPrefix" ? a.startsWith(b) : a.endsWith(b);
    }
    case "first":
    case "last": {
      const v = one();
      if (nil(v)) return null;
      if (!Array.isArray(v)) throw new ExprEvalError(`cannot get ${name} from ${typeName(v)}`);
      return (name === "first" ? v[0] : v[v.length - 1]) ?? null;
    }
    case "keys":
    case "values": {
      const v = one();
      if (!isMap(v)) throw new ExprEvalError(`cannot get ${name} from ${typeName(v)}`);
      return name === "keys" ? Object.keys(v) : Object.values(v);
    }
    case "now": {
      const t = s.vars.time;
      const f = isMap(t) ? t.Now : undefined;
      if (!(f instanceof GoFunc)) throw new ExprEvalError("now() is not available");
      return f.fn([]);
    }
    case "duration":
      return parseGoDuration(one());
    default:
      throw new ExprEvalError(`unknown function ${name}`);
  }
}

// --- fmt %v -------------------------------------------------------------------------------------------

/**
 * Go's strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses for float64 (every JSON number in the object):
 * shortest digits, exponent form when the exponent is < -4 or >= 6 (ftoa.go: "use precision 6").
 */
function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, expStr] = v.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  }
  return String(v);
}

/** fmt.Sprintf("%v", v) for the values expressions produce (how upstream turns oncePer into a key). */
export function formatGoValue(v: unknown): string {
  if (nil(v)) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  // numbers read from the object are float64 upstream (JSON), so they format as floats
  if (typeof v === "number") return formatGoFloat(v);
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(" ")}]`;
  if (v instanceof GoTime) return new Date(v.ms).toISOString();
  if (v instanceof GoDuration) return `${v.ns}ns`;
  if (v instanceof GoFunc) return v.name;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatGoValue(v[k])}`).join(" ")}]`;
  }
  return String(v);
}
