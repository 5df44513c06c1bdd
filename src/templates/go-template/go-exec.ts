// Executes a parsed Go template (go-parse.ts) with text/template's semantics (Go's exec.go and funcs.go):
// fields of maps (a missing key is "no value", printed "<no value>"), methods of Go values, variables and
// their scopes, if/with/range/else, break/continue, define/template/block, the builtin functions (and, or,
// not, len, index, slice, print, printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge) and a
// function table (sprig.ts) whose parameter types are checked as Go's reflection does.
// Every loop and the output are bounded (GoExecLimits); exceeding a bound is a GoExecError naming the bound.

import { checkRenderClock } from "../render-budget.ts";
import { goQuote, sprint, sprintf, sprintln, sprintValue } from "./go-fmt.ts";
import type { GoArg, GoBlock, GoNode, GoPipe, GoTemplateTree } from "./go-parse.ts";
import { GoTime } from "./go-time.ts";
import {
  GoExecError,
  GoFunc,
  GoInt64,
  GoObject,
  type GoValue,
  goTypeOf,
  intOf,
  isInt,
  isMap,
  isTrue,
  sortedKeys,
} from "./go-values.ts";
import { slackFunctions } from "./slack-functions.ts";
import { type FuncEnv, type GoFuncSpec, type ParamType, SPRIG_FUNCTIONS } from "./sprig.ts";

export interface GoExecLimits {
  /** Output characters per execution. */
  maxOutput: number;
  /** Loop iterations (all range loops together) per execution. */
  maxIterations: number;
  /** Nesting of {{template}} calls. */
  maxTemplateDepth: number;
}

export const DEFAULT_GO_EXEC_LIMITS: GoExecLimits = {
  maxOutput: 1_000_000,
  maxIterations: 100_000,
  maxTemplateDepth: 100,
};

export interface GoExecOptions {
  limits?: Partial<GoExecLimits>;
  /** Extra functions (e.g. the Slack lookups) on top of Sprig's. */
  functions?: Readonly<Record<string, GoFuncSpec>>;
  /** time.Now() for `now`, `ago`, `time.Now` (default: the wall clock). */
  now?: () => GoTime;
  /** Receives render-time warnings from functions. */
  onWarning?: (message: string) => void;
  /**
   * The output is a JSON document: a value printed inside a JSON string literal of the template is escaped as
   * JSON string content (Go would print it raw, which breaks the document when the value has a quote).
   */
  escapeInJsonStrings?: boolean;
}

/** Builtins that text/template provides itself (sprig's `slice` replaces the builtin, as in Go). */
export const GO_BUILTIN_NAMES: ReadonlySet<string> = new Set([
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "print",
  "printf",
  "println",
  "html",
  "js",
  "urlquery",
  "call",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
]);

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");
type Flow = typeof BREAK | typeof CONTINUE | undefined;

class ExecState {
  out = "";
  iterations = 0;
  vars: { name: string; value: GoValue }[] = [];
  templateDepth = 0;
  line = 0;
  raw = "";
  /** With escapeInJsonStrings: whether the output so far ends inside a JSON string literal, and after a backslash. */
  jsonEscape = false;
  inJsonString = false;
  jsonBackslash = false;
  readonly tree: GoTemplateTree;
  readonly limits: GoExecLimits;
  readonly funcs: Readonly<Record<string, GoFuncSpec>>;
  readonly env: FuncEnv;
  constructor(
    tree: GoTemplateTree,
    limits: GoExecLimits,
    funcs: Readonly<Record<string, GoFuncSpec>>,
    env: FuncEnv,
  ) {
    this.tree = tree;
    this.limits = limits;
    this.funcs = funcs;
    this.env = env;
  }

  fail(message: string): never {
    throw new GoExecError(`line ${this.line}: executing ${this.raw}: ${message}`);
  }

  /** Follows JSON string literals through output written as is. */
  trackJson(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (this.jsonBackslash) this.jsonBackslash = false;
      else if (this.inJsonString && c === "\\") this.jsonBackslash = true;
      else if (c === '"') this.inJsonString = !this.inJsonString;
    }
  }

  /** Writes a printed value: inside a JSON string literal (escapeInJsonStrings) as JSON string content. */
  writeValue(s: string): void {
    if (this.jsonEscape && this.inJsonString && !this.jsonBackslash)
      this.write(JSON.stringify(s).slice(1, -1), false);
    else this.write(s);
  }

  write(s: string, track = true): void {
    if (this.jsonEscape && track) this.trackJson(s);
    this.out += s;
    if (this.out.length > this.limits.maxOutput)
      this.fail(`output longer than ${this.limits.maxOutput} characters (limit maxOutput)`);
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: GoValue): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: $${name}`);
  }
  varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.fail(`undefined variable: $${name}`);
  }

  // ---- statements ----

  walkList(dot: GoValue, nodes: GoNode[]): Flow {
    for (const n of nodes) {
      const flow = this.walk(dot, n);
      if (flow) return flow;
    }
    return undefined;
  }

  walk(dot: GoValue, node: GoNode): Flow {
    switch (node.kind) {
      case "text":
        this.write(node.text);
        return undefined;
      case "action": {
        this.at(node);
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(v);
        return undefined;
      }
      case "break":
        return BREAK;
      case "continue":
        return CONTINUE;
      case "template": {
        this.at(node);
        const body = this.tree.defines.get(node.name);
        if (!body) this.fail(`no such template ${goQuote(node.name)}`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : null;
        if (++this.templateDepth > this.limits.maxTemplateDepth)
          this.fail(
            `exceeded maximum template depth (${this.limits.maxTemplateDepth}) (limit maxTemplateDepth)`,
          );
        const saved = this.vars;
        this.vars = [{ name: "", value: newDot }];
        try {
          this.walkList(newDot, body!);
        } finally {
          this.vars = saved;
          this.templateDepth--;
        }
        return undefined;
      }
      case "if":
      case "with": {
        this.at(node);
        const mark = this.mark();
        try {
          const v = this.evalPipeline(dot, node.pipe);
          if (isTrue(v)) return this.walkList(node.kind === "with" ? v : dot, node.body);
          if (node.elseBody) return this.walkList(dot, node.elseBody);
          return undefined;
        } finally {
          this.pop(mark);
        }
      }
      case "range":
        return this.walkRange(dot, node);
    }
  }

  walkRange(dot: GoValue, node: GoBlock): Flow {
    this.at(node);
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const decl = node.pipe.decl;
      const oneIteration = (index: GoValue, elem: GoValue): Flow => {
        if (++this.iterations > this.limits.maxIterations)
          this.fail(`more than ${this.limits.maxIterations} loop iterations (limit maxIterations)`);
        checkRenderClock();
        if (decl.length > 0) {
          if (decl.length === 1) this.setTopVar(1, elem);
          else {
            this.setTopVar(2, index);
            this.setTopVar(1, elem);
          }
        }
        const inner = this.mark();
        try {
          return this.walkList(elem, node.body);
        } finally {
          this.pop(inner);
        }
      };
      let ran = false;
      if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          const f = oneIteration(BigInt(i), val[i] ?? null);
          if (f === BREAK) break;
        }
      } else if (isMap(val)) {
        for (const k of sortedKeys(val)) {
          ran = true;
          const f = oneIteration(k, val[k] ?? null);
          if (f === BREAK) break;
        }
      } else if (isInt(val)) {
        if (decl.length > 1) this.fail("can't use int to iterate over more than one variable");
        const n = intOf(val);
        for (let i = 0n; i < n; i++) {
          ran = true;
          const f = oneIteration(i, i);
          if (f === BREAK) break;
        }
      } else if (val === undefined) {
        // an invalid value (missing key) ranges over nothing
      } else if (val instanceof GoFunc) {
        this.fail("range over func is not supported");
      } else {
        this.fail(`range can't iterate over ${sprintValue(val)}`);
      }
      if (!ran && node.elseBody) this.walkList(dot, node.elseBody);
      return undefined;
    } finally {
      this.pop(mark);
    }
  }

  setTopVar(n: number, value: GoValue): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  at(node: { line: number; raw: string }): void {
    this.line = node.line;
    this.raw = node.raw;
  }

  printValue(v: GoValue): void {
    if (v === undefined) {
      this.writeValue("<no value>");
      return;
    }
    if (v instanceof GoFunc) this.fail(`can't print ${this.raw} of type func`);
    this.writeValue(sprintValue(v));
  }

  // ---- pipelines ----

  evalPipeline(dot: GoValue, pipe: GoPipe): GoValue {
    let value: GoValue;
    let first = true;
    for (const cmd of pipe.commands) {
      value = this.evalCommand(dot, cmd, first ? NO_FINAL : value);
      first = false;
    }
    for (const name of pipe.decl) {
      if (pipe.assign) this.setVar(name, value);
      else this.push(name, value);
    }
    return value;
  }

  evalCommand(dot: GoValue, cmd: GoArg[], final: GoValue | typeof NO_FINAL): GoValue {
    const head = cmd[0]!;
    const args = cmd.slice(1);
    switch (head.kind) {
      case "field":
        return this.evalFieldChain(dot, dot, head.parts, args, final);
      case "var":
        if (head.parts.length === 0) {
          this.notAFunction(args, final);
          return this.varValue(head.name);
        }
        return this.evalFieldChain(dot, this.varValue(head.name), head.parts, args, final);
      case "pipe": {
        const v = this.evalPipeline(dot, head.pipe);
        if (head.parts.length === 0) {
          this.notAFunction(args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, head.parts, args, final);
      }
      case "ident":
        return this.evalFunction(dot, head.name, args, final);
    }
    this.notAFunction(args, final);
    switch (head.kind) {
      case "dot":
        return dot;
      case "bool":
        return head.value;
      case "string":
        return head.value;
      case "number":
        return idealConstant(head, this);
      case "nil":
        return this.fail("nil is not a command");
    }
  }

  notAFunction(args: GoArg[], final: GoValue | typeof NO_FINAL): void {
    if (args.length > 0 || final !== NO_FINAL) this.fail(`can't give argument to non-function ${this.raw}`);
  }

  evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    parts: string[],
    args: GoArg[],
    final: GoValue | typeof NO_FINAL,
  ): GoValue {
    let r = receiver;
    for (let i = 0; i < parts.length - 1; i++) r = this.evalField(dot, parts[i]!, r, [], NO_FINAL);
    return this.evalField(dot, parts[parts.length - 1]!, r, args, final);
  }

  evalField(
    dot: GoValue,
    name: string,
    receiver: GoValue,
    args: GoArg[],
    final: GoValue | typeof NO_FINAL,
  ): GoValue {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoObject) {
      const m = receiver.method(name);
      if (m) {
        const argv = args.map((a) => this.evalArgAny(dot, a));
        if (final !== NO_FINAL) argv.push(final);
        try {
          return m(argv);
        } catch (err) {
          if (err instanceof GoExecError) this.fail(`error calling ${name}: ${err.message}`);
          throw err;
        }
      }
      this.fail(`can't evaluate field ${name} in type ${receiver.goType}`);
    }
    if (isMap(receiver)) {
      if (args.length > 0 || final !== NO_FINAL) this.fail(`${name} is not a method but has arguments`);
      // a JS property holding undefined is a missing key; null is a nil value
      return Object.hasOwn(receiver, name) && receiver[name] !== undefined ? receiver[name] : undefined;
    }
    return this.fail(`can't evaluate field ${name} in type ${goTypeOf(receiver)}`);
  }

  // ---- functions ----

  evalFunction(dot: GoValue, name: string, args: GoArg[], final: GoValue | typeof NO_FINAL): GoValue {
    const spec = this.funcs[name];
    if (spec) return this.evalCall(dot, name, spec, args, final);
    if (!GO_BUILTIN_NAMES.has(name)) this.fail(`function ${goQuote(name)} not defined`);
    return this.evalBuiltin(dot, name, args, final);
  }

  evalCall(
    dot: GoValue,
    name: string,
    spec: GoFuncSpec,
    args: GoArg[],
    final: GoValue | typeof NO_FINAL,
  ): GoValue {
    const n = args.length + (final === NO_FINAL ? 0 : 1);
    const fixed = spec.params.length;
    if (spec.variadic ? n < fixed : n !== fixed) {
      this.fail(
        `wrong number of args for ${name}: want ${spec.variadic ? "at least " : ""}${fixed} got ${n}`,
      );
    }
    const argv: GoValue[] = [];
    args.forEach((a, i) => {
      argv.push(this.evalArg(dot, i < fixed ? spec.params[i]! : spec.variadic!, a));
    });
    if (final !== NO_FINAL) {
      const t = args.length < fixed ? spec.params[args.length]! : spec.variadic!;
      argv.push(this.validateType(final, t));
    }
    checkRenderClock();
    try {
      return spec.fn(argv, this.env);
    } catch (err) {
      if (err instanceof GoExecError) this.fail(`error calling ${name}: ${err.message}`);
      if (err instanceof RangeError) this.fail(`error calling ${name}: ${err.message}`);
      throw err;
    }
  }

  evalArg(dot: GoValue, typ: ParamType, a: GoArg): GoValue {
    switch (a.kind) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (canBeNil(typ)) return null;
        return this.fail(`cannot assign nil to ${goParamName(typ)}`);
      case "field":
      case "var":
      case "pipe":
      case "ident":
        return this.validateType(this.evalArgAny(dot, a), typ);
    }
    switch (typ) {
      case "any":
      case "value":
        return this.evalArgAny(dot, a);
      case "bool":
        if (a.kind === "bool") return a.value;
        return this.fail(`expected bool; found ${describeArg(a)}`);
      case "string":
        if (a.kind === "string") return a.value;
        return this.fail(`expected string; found ${describeArg(a)}`);
      case "int":
        if (a.kind === "number" && a.int !== undefined) return a.int;
        return this.fail(`expected integer; found ${describeArg(a)}`);
      case "int64":
        if (a.kind === "number" && a.int !== undefined) return new GoInt64(a.int);
        return this.fail(`expected integer; found ${describeArg(a)}`);
      case "float64":
        if (a.kind === "number" && a.float !== undefined) return a.float;
        return this.fail(`expected float; found ${describeArg(a)}`);
    }
    return this.fail(`can't handle ${describeArg(a)} for arg of type ${goParamName(typ)}`);
  }

  /** An argument for an interface{} parameter. */
  evalArgAny(dot: GoValue, a: GoArg): GoValue {
    switch (a.kind) {
      case "bool":
        return a.value;
      case "dot":
        return dot;
      case "field":
        return this.evalFieldChain(dot, dot, a.parts, [], NO_FINAL);
      case "ident":
        return this.evalFunction(dot, a.name, [], NO_FINAL);
      case "nil":
        return null;
      case "number":
        return idealConstant(a, this);
      case "string":
        return a.value;
      case "var":
        return a.parts.length
          ? this.evalFieldChain(dot, this.varValue(a.name), a.parts, [], NO_FINAL)
          : this.varValue(a.name);
      case "pipe": {
        const v = this.evalPipeline(dot, a.pipe);
        return a.parts.length ? this.evalFieldChain(dot, v, a.parts, [], NO_FINAL) : v;
      }
    }
  }

  /** exec.go validateType for our value model. */
  validateType(v: GoValue, typ: ParamType): GoValue {
    if (v === undefined) {
      if (typ === "value") return undefined;
      if (canBeNil(typ)) return null;
      return this.fail(`invalid value; expected ${goParamName(typ)}`);
    }
    switch (typ) {
      case "any":
      case "value":
        return v;
      case "map":
        if (v === null || isMap(v)) return v;
        break;
      case "string":
        if (typeof v === "string") return v;
        break;
      case "bool":
        if (typeof v === "boolean") return v;
        break;
      case "int":
        if (typeof v === "bigint") return v;
        break;
      case "int64":
        if (v instanceof GoInt64) return v;
        break;
      case "float64":
        if (typeof v === "number") return v;
        break;
      case "time":
        if (v instanceof GoTime) return v;
        break;
    }
    return this.fail(
      `wrong type for value; expected ${goParamName(typ)}; got ${v === null ? "interface {}" : goTypeOf(v)}`,
    );
  }

  evalBuiltin(dot: GoValue, name: string, args: GoArg[], final: GoValue | typeof NO_FINAL): GoValue {
    // and/or evaluate their arguments lazily and return the deciding operand
    if (name === "and" || name === "or") {
      const n = args.length + (final === NO_FINAL ? 0 : 1);
      if (n < 1) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: GoValue;
      for (const a of args) {
        v = this.evalArgAny(dot, a);
        if (isTrue(v) !== (name === "and")) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    const argv = args.map((a) => this.evalArgAny(dot, a));
    if (final !== NO_FINAL) argv.push(final);
    const want = (min: number, max = min) => {
      if (argv.length < min || argv.length > max)
        this.fail(
          `wrong number of args for ${name}: want ${min === max ? min : max === Infinity ? `at least ${min}` : `${min}`} got ${argv.length}`,
        );
    };
    const nilToNull = (v: GoValue) => (v === undefined ? null : v);
    try {
      switch (name) {
        case "not":
          want(1);
          return !isTrue(argv[0]);
        case "len":
          want(1);
          return goLen(argv[0]);
        case "index":
          want(1, Infinity);
          return goIndex(argv[0], argv.slice(1));
        case "slice":
          want(1, Infinity);
          return goSlice(argv[0], argv.slice(1));
        case "print":
          return sprint(argv.map(nilToNull));
        case "println":
          return sprintln(argv.map(nilToNull));
        case "printf": {
          want(1, Infinity);
          const f = this.validateType(argv[0], "string") as string;
          return sprintf(f, argv.slice(1).map(nilToNull));
        }
        case "html":
          return htmlEscape(evalArgs(argv));
        case "js":
          return jsEscape(evalArgs(argv));
        case "urlquery":
          return queryEscape(evalArgs(argv));
        case "call": {
          want(1, Infinity);
          const fn = argv[0];
          if (!(fn instanceof GoFunc))
            this.fail(`error calling call: non-function of type ${goTypeOf(nilToNull(fn))}`);
          return (fn as GoFunc).fn(argv.slice(1).map(nilToNull));
        }
        case "eq":
          want(1, Infinity);
          if (argv.length < 2) throw new GoExecError("missing argument for comparison");
          return argv.slice(1).some((b) => goEq(argv[0], b));
        case "ne":
          want(2);
          return !goEq(argv[0], argv[1]);
        case "lt":
          want(2);
          return goLess(argv[0], argv[1]);
        case "le":
          want(2);
          return goLess(argv[0], argv[1]) || goEq(argv[0], argv[1]);
        case "gt":
          want(2);
          return !(goLess(argv[0], argv[1]) || goEq(argv[0], argv[1]));
        case "ge":
          want(2);
          return !goLess(argv[0], argv[1]);
      }
    } catch (err) {
      if (err instanceof GoExecError && !err.message.startsWith("line "))
        this.fail(`error calling ${name}: ${err.message}`);
      throw err;
    }
    return this.fail(`function ${goQuote(name)} not defined`);
  }
}

const NO_FINAL = Symbol("no final");

function canBeNil(t: ParamType): boolean {
  return t === "any" || t === "map" || t === "value";
}

function goParamName(t: ParamType): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "map":
      return "map[string]interface {}";
    case "time":
      return "time.Time";
    case "value":
      return "reflect.Value";
    default:
      return t;
  }
}

function describeArg(a: GoArg): string {
  switch (a.kind) {
    case "string":
      return goQuote(a.value);
    case "number":
      return a.text;
    case "bool":
      return String(a.value);
    default:
      return a.kind;
  }
}

/** exec.go idealConstant: an integer literal is an int, one with . e E p P is a float64, a rune is an int. */
function idealConstant(a: Extract<GoArg, { kind: "number" }>, s: ExecState): GoValue {
  if (a.rune) return a.int!;
  const hex = /^[+-]?0[xX]/.test(a.text);
  if (!hex && /[.eE]/.test(a.text)) return a.float!;
  if (hex && /[pP.]/.test(a.text)) return a.float!;
  if (a.int !== undefined) return a.int;
  return s.fail(`${a.text} overflows int`);
}

// ---- builtin helpers (funcs.go) ----

type Kind = "bool" | "int" | "float" | "string" | "invalid";
/** funcs.go basicKind after indirectInterface: nil and missing values are invalid, as are maps, slices, structs. */
function basicKind(v: GoValue): Kind {
  if (typeof v === "boolean") return "bool";
  if (isInt(v)) return "int";
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "string";
  return "invalid";
}
const isNilish = (v: GoValue) => v === undefined || v === null;
const typeName = (v: GoValue) => goTypeOf(v === undefined ? null : v);

/** funcs.go eq for one pair. */
function goEq(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (!isNilish(a) && !isNilish(b))
      throw new GoExecError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    return false;
  }
  switch (ka) {
    case "bool":
    case "string":
    case "float":
      return a === b;
    case "int":
      return intOf(a as bigint | GoInt64) === intOf(b as bigint | GoInt64);
  }
  if (isNilish(a) || isNilish(b)) return isNilish(a) === isNilish(b);
  const kindOf = (v: GoValue) => (Array.isArray(v) ? "slice" : isMap(v) ? "map" : typeName(v));
  if (kindOf(a) !== kindOf(b))
    throw new GoExecError(
      `non-comparable types ${sprintValue(a)}: ${typeName(a)}, ${typeName(b)}: ${sprintValue(b)}`,
    );
  if (Array.isArray(b) || isMap(b))
    throw new GoExecError(`non-comparable type ${sprintValue(b)}: ${typeName(b)}`);
  if (a instanceof GoTime && b instanceof GoTime)
    return a.ms === b.ms && a.ns === b.ns && a.zone.offset === b.zone.offset;
  return a === b;
}

/** funcs.go lt. */
function goLess(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === "invalid" || kb === "invalid") throw new GoExecError("invalid type for comparison");
  if (ka !== kb) throw new GoExecError("incompatible types for comparison");
  switch (ka) {
    case "bool":
      throw new GoExecError("invalid type for comparison");
    case "int":
      return intOf(a as bigint | GoInt64) < intOf(b as bigint | GoInt64);
    case "string":
      return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
    default:
      return (a as number) < (b as number);
  }
}

function goLen(v: GoValue): bigint {
  if (v === undefined || v === null) throw new GoExecError("len of nil pointer");
  if (typeof v === "string") return BigInt(Buffer.byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  throw new GoExecError(`len of type ${goTypeOf(v)}`);
}

function indexArg(i: GoValue, cap: number): number {
  if (i === undefined || i === null) throw new GoExecError("cannot index slice/array with nil");
  if (!isInt(i)) throw new GoExecError(`cannot index slice/array with type ${goTypeOf(i)}`);
  const x = intOf(i);
  if (x < 0n || x > BigInt(cap)) throw new GoExecError(`index out of range: ${x}`);
  return Number(x);
}

function goIndex(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined) throw new GoExecError("index of untyped nil");
  let cur: GoValue = item;
  for (const idx of indexes) {
    if (cur === null || cur === undefined) throw new GoExecError("index of nil pointer");
    if (typeof cur === "string") {
      const b = Buffer.from(cur);
      const x = indexArg(idx, b.length);
      if (x === b.length) throw new GoExecError(`index out of range: ${x}`);
      cur = BigInt(b[x]!);
    } else if (Array.isArray(cur)) {
      const x = indexArg(idx, cur.length);
      if (x === cur.length) throw new GoExecError(`index out of range: ${x}`);
      cur = cur[x] ?? null;
    } else if (isMap(cur)) {
      if (idx === undefined || idx === null) throw new GoExecError("value is nil; should be of type string");
      if (typeof idx !== "string") throw new GoExecError(`value has type ${goTypeOf(idx)}; should be string`);
      cur = Object.hasOwn(cur, idx) ? (cur[idx] ?? null) : null;
    } else {
      throw new GoExecError(`can't index item of type ${goTypeOf(cur)}`);
    }
  }
  return cur;
}

function goSlice(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new GoExecError("slice of untyped nil");
  if (indexes.length > 3) throw new GoExecError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new GoExecError("cannot 3-index slice a string");
    len = Buffer.byteLength(item);
  } else if (Array.isArray(item)) len = item.length;
  else throw new GoExecError(`can't slice item of type ${goTypeOf(item)}`);
  const idx = [0, len];
  indexes.forEach((v, i) => {
    idx[i] = indexArg(v, len);
  });
  if (idx[0]! > idx[1]!) throw new GoExecError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (typeof item === "string") return Buffer.from(item).subarray(idx[0], idx[1]).toString("utf8");
  return item.slice(idx[0], idx[1]);
}

/** funcs.go evalArgs: one string argument as is, else fmt.Sprint of all. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined ? null : a)));
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) =>
    c === "<"
      ? "&lt;"
      : c === ">"
        ? "&gt;"
        : c === "&"
          ? "&amp;"
          : c === "'"
            ? "&#39;"
            : c === '"'
              ? "&#34;"
              : "\uFFFD",
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (cp >= 0x80 && !/[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch))
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

/** url.QueryEscape. */
function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Sprig's functions and the Slack helpers (offline: they render "" with a warning). */
const DEFAULT_FUNCTIONS: Readonly<Record<string, GoFuncSpec>> = { ...SPRIG_FUNCTIONS, ...slackFunctions() };

/** The function table a template runs with: builtins are added by the interpreter. */
export function goFunctionTable(
  extra?: Readonly<Record<string, GoFuncSpec>>,
): Readonly<Record<string, GoFuncSpec>> {
  return extra ? { ...DEFAULT_FUNCTIONS, ...extra } : DEFAULT_FUNCTIONS;
}

/** Every function name a Go template may call. */
export function goFunctionNames(extra?: Readonly<Record<string, GoFuncSpec>>): ReadonlySet<string> {
  return new Set([...GO_BUILTIN_NAMES, ...Object.keys(goFunctionTable(extra))]);
}

/** Executes a parsed template with `data` as dot (and $). Throws GoExecError. */
export function executeGoTemplate(tree: GoTemplateTree, data: GoValue, options: GoExecOptions = {}): string {
  const limits = { ...DEFAULT_GO_EXEC_LIMITS, ...options.limits };
  const funcs = goFunctionTable(options.functions);
  const env: FuncEnv = {
    now: options.now ?? (() => new GoTime(Date.now())),
    warn: options.onWarning ?? (() => {}),
  };
  const state = new ExecState(tree, limits, funcs, env);
  state.jsonEscape = options.escapeInJsonStrings === true;
  state.push("", data);
  state.walkList(data, tree.root);
  return state.out;
}
