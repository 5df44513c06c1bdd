// The Handlebars engine: an isolated environment with our helpers, strict checks for unknown helpers and
// partials (at compile time, naming the helper and line), per-field output escaping, and a compile cache keyed
// by source. Pure: compiling and rendering do no I/O.
//
// Escaping works by rewriting the parsed template: every `{{expr}}` becomes `{{{__escape expr}}}`, and
// `__escape` escapes for the mode passed at render time (data `_escapeMode`, see escaping.ts). `{{{expr}}}`
// stays raw. Whitespace is kept exactly as written (ignoreStandalone), like Go templates; `{{~ ~}}` trims.
import Handlebars, { type HelperOptions } from "handlebars";
import { type EscapeMode, escapeForMode, stringifyValue } from "./escaping.ts";
import { buildHelpers } from "./helpers.ts";
import {
  checkOutputSize,
  countBlockOutput,
  countProduced,
  currentRenderBudget,
  inBlock,
  offTheClock,
  outputProduced,
  spend,
  withOutputScope,
  withRenderBudget,
} from "./render-budget.ts";
import { isTruthy } from "./truthiness.ts";

const hb = Handlebars.create();

// --- budgets (render-budget.ts) -------------------------------------------------------------------------------
// Every block body (each iteration, if/with/let/unless branches, sections) and every helper call is counted and
// runs under the active render budget; outputs are measured as they are made.

type BlockFn = ((context: unknown, opts?: unknown) => string) & Record<string, unknown>;

function budgetedBody(fn: BlockFn | undefined): BlockFn | undefined {
  if (typeof fn !== "function") return fn;
  const wrapped = ((context: unknown, opts?: unknown) =>
    inBlock(() => {
      const before = outputProduced();
      const out = fn(context, opts);
      countBlockOutput(before, typeof out === "string" ? out : String(out));
      return out;
    })) as BlockFn;
  return Object.assign(wrapped, fn);
}

function budgetedOptions(options: HelperOptions): HelperOptions {
  return {
    ...options,
    fn: budgetedBody(options.fn as unknown as BlockFn) as unknown as HelperOptions["fn"],
    inverse: budgetedBody(options.inverse as unknown as BlockFn) as unknown as HelperOptions["inverse"],
  };
}

/** A block helper whose bodies are counted (iterations, depth, output). */
function budgetedBlock(fn: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    const last = args.length - 1;
    if (last >= 0 && args[last] && typeof args[last] === "object" && "fn" in (args[last] as object)) {
      args[last] = budgetedOptions(args[last] as HelperOptions);
    }
    return fn.apply(this, args);
  };
}

function resultLength(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (value instanceof hb.SafeString) return value.toHTML().length;
  return 0;
}

/** An inline helper that counts as one iteration and whose result is measured. */
function budgetedHelper(name: string, fn: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    spend();
    if (name === "replace") {
      // output size known before making it: s.split(old).join(new) can multiply the input
      const [from, to, text] = args.map((a) => (typeof a === "string" ? a : String(a ?? "")));
      const parts = text!.length === 0 ? 1 : from === "" ? text!.length + 1 : text!.split(from!).length;
      checkOutputSize(
        text!.length +
          (parts - 1) * Math.max(0, to!.length - from!.length) +
          (from === "" ? (parts - 1) * to!.length : 0),
      );
    }
    const out = fn.apply(this, args);
    const length = resultLength(out);
    checkOutputSize(length);
    countProduced(length);
    return out;
  };
}

const BLOCK_HELPERS = ["if", "unless", "each", "with", "let"] as const;
const INLINE_BUILTINS = ["lookup"] as const;
const ESCAPE_HELPER = "__escape";

hb.unregisterHelper("log");
// Handlebars' own messages (e.g. "Access has been denied to resolve the property …") go to the service's log
// as JSON lines, never to stderr as plain text (setTemplateEngineLogger).
let engineLog: (level: string, message: string) => void = () => {};
(hb as unknown as { logger: { log: (level: unknown, ...message: unknown[]) => void } }).logger.log = (
  level: unknown,
  ...message: unknown[]
) => {
  engineLog(typeof level === "string" ? level : String(level), message.map(String).join(" "));
};
/** Routes Handlebars' own log messages (default: dropped). */
export function setTemplateEngineLogger(fn: (level: string, message: string) => void): void {
  engineLog = fn;
}
for (const [name, fn] of Object.entries(buildHelpers((s) => new hb.SafeString(s)))) {
  hb.registerHelper(
    name,
    budgetedHelper(name, fn as (...a: unknown[]) => unknown) as Handlebars.HelperDelegate,
  );
}
const builtinEach = hb.helpers.each as (...args: unknown[]) => unknown;
const builtinBlockHelperMissing = hb.helpers.blockHelperMissing as (...args: unknown[]) => unknown;
hb.registerHelper("each", budgetedBlock(builtinEach) as Handlebars.HelperDelegate);
hb.registerHelper(
  "blockHelperMissing",
  budgetedBlock(builtinBlockHelperMissing) as Handlebars.HelperDelegate,
);
hb.registerHelper(
  "if",
  budgetedBlock(function (this: unknown, ...args: unknown[]) {
    if (args.length !== 2) throw new Error("#if requires exactly one argument");
    const options = args[1] as HelperOptions;
    return isTruthy(args[0]) ? options.fn(this) : options.inverse(this);
  }),
);
hb.registerHelper(
  "unless",
  budgetedBlock(function (this: unknown, ...args: unknown[]) {
    if (args.length !== 2) throw new Error("#unless requires exactly one argument");
    const options = args[1] as HelperOptions;
    return isTruthy(args[0]) ? options.inverse(this) : options.fn(this);
  }),
);
hb.registerHelper(
  "with",
  budgetedBlock(function (this: unknown, ...args: unknown[]) {
    if (args.length !== 2) throw new Error("#with requires exactly one argument");
    const options = args[1] as HelperOptions;
    if (!isTruthy(args[0])) return options.inverse(this);
    return options.fn(args[0], { data: options.data, blockParams: [args[0]] });
  }),
);
/** `{{#let value as |x|}}…{{/let}}`: names a value without changing `this` (Go's `{{$x := value}}`). */
hb.registerHelper(
  "let",
  budgetedBlock(function (this: unknown, ...args: unknown[]) {
    if (args.length !== 2) throw new Error("#let requires exactly one argument");
    const options = args[1] as HelperOptions;
    return options.fn(this, { data: options.data, blockParams: [args[0]] });
  }),
);
hb.registerHelper(ESCAPE_HELPER, (...args: unknown[]) => {
  const value = args[0];
  const options = args[args.length - 1] as HelperOptions;
  spend();
  const mode = (options.data as { _escapeMode?: EscapeMode } | undefined)?._escapeMode ?? "none";
  const out = value instanceof hb.SafeString ? value.toHTML() : escapeForMode(stringifyValue(value), mode);
  checkOutputSize(out.length);
  return out;
});

/** Every helper a template may call. */
export const HELPER_NAMES: ReadonlySet<string> = new Set(
  Object.keys(hb.helpers).filter(
    (n) => n !== ESCAPE_HELPER && n !== "helperMissing" && n !== "blockHelperMissing",
  ),
);
const BLOCK_HELPER_SET: ReadonlySet<string> = new Set(BLOCK_HELPERS);
const INLINE_OK: ReadonlySet<string> = new Set(
  [...HELPER_NAMES].filter(
    (n) => !BLOCK_HELPER_SET.has(n) || (INLINE_BUILTINS as readonly string[]).includes(n),
  ),
);

/** Top-level context keys that may be used as mustache sections (`{{#failedMetrics}}…{{/failedMetrics}}`). */
export const CONTEXT_KEYS: ReadonlySet<string> = new Set([
  "rollout",
  "analysisRun",
  "analysisRuns",
  "trigger",
  "transition",
  "recipient",
  "serviceType",
  "context",
  "time",
  "strategy",
  "revision",
  "images",
  "step",
  "failedMetrics",
]);

// --- AST checks and rewrite -------------------------------------------------------------------------------

interface Loc {
  start: { line: number; column: number };
}
interface HbNode {
  type: string;
  loc?: Loc;
  [k: string]: unknown;
}
interface PathNode extends HbNode {
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}
interface HashNode extends HbNode {
  pairs: { key: string; value: HbNode }[];
}
interface CallNode extends HbNode {
  path: HbNode;
  params: HbNode[];
  hash?: HashNode;
}

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

const at = (n: HbNode) => (n.loc ? ` (line ${n.loc.start.line})` : "");

function simpleName(path: HbNode): string | undefined {
  if (path.type !== "PathExpression") return undefined;
  const p = path as PathNode;
  if (p.data || p.depth !== 0 || p.parts.length !== 1 || p.original !== p.parts[0]) return undefined;
  return p.parts[0];
}

function checkCall(node: CallNode, kind: "mustache" | "block" | "sexpr", scope: ReadonlySet<string>): void {
  const name = simpleName(node.path);
  const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
  const label = node.path.type === "PathExpression" ? (node.path as PathNode).original : node.path.type;
  const known = name !== undefined && HELPER_NAMES.has(name) && !scope.has(name);
  if (kind === "sexpr" || hasArgs) {
    if (!known) throw new TemplateSyntaxError(`unknown helper "${label}"${at(node)}`);
  }
  if (kind === "block") {
    if (known && !BLOCK_HELPER_SET.has(name)) {
      throw new TemplateSyntaxError(
        `"${name}" is not a block helper${at(node)}: use it inline or in a condition, e.g. {{#if (${name} …)}}`,
      );
    }
    if (!known && name !== undefined && !CONTEXT_KEYS.has(name) && !scope.has(name)) {
      throw new TemplateSyntaxError(`unknown block helper "${name}"${at(node)}`);
    }
  } else if (known && !INLINE_OK.has(name)) {
    throw new TemplateSyntaxError(
      `"${name}" is a block helper${at(node)}: write {{#${name} …}}…{{/${name}}}`,
    );
  }
}

function pathNode(name: string, loc: Loc | undefined): PathNode {
  return { type: "PathExpression", data: false, depth: 0, parts: [name], original: name, loc };
}

function visitExpr(node: HbNode, scope: ReadonlySet<string>): void {
  if (node.type === "SubExpression") {
    const call = node as CallNode;
    checkCall(call, "sexpr", scope);
    for (const p of call.params) visitExpr(p, scope);
    for (const pair of call.hash?.pairs ?? []) visitExpr(pair.value, scope);
  }
}

/** Block nesting of the template being checked (compile-time half of the depth budget). */
let blockDepth = 0;

function visitProgram(program: HbNode | undefined, scope: ReadonlySet<string>): void {
  if (!program) return;
  const blockParams = (program.blockParams as string[] | undefined) ?? [];
  const inner = blockParams.length > 0 ? new Set([...scope, ...blockParams]) : scope;
  for (const stmt of program.body as HbNode[]) visitStatement(stmt, inner);
}

function visitStatement(stmt: HbNode, scope: ReadonlySet<string>): void {
  switch (stmt.type) {
    case "ContentStatement":
    case "CommentStatement":
      return;
    case "MustacheStatement": {
      const m = stmt as CallNode & { escaped: boolean };
      checkCall(m, "mustache", scope);
      for (const p of m.params) visitExpr(p, scope);
      for (const pair of m.hash?.pairs ?? []) visitExpr(pair.value, scope);
      if (m.escaped) {
        const name = simpleName(m.path);
        const isCall =
          m.params.length > 0 ||
          (m.hash?.pairs.length ?? 0) > 0 ||
          (name && HELPER_NAMES.has(name) && !scope.has(name));
        const arg: HbNode = isCall
          ? { type: "SubExpression", path: m.path, params: m.params, hash: m.hash, loc: m.loc }
          : m.path;
        m.path = pathNode(ESCAPE_HELPER, m.loc);
        m.params = [arg];
        m.hash = undefined;
        m.escaped = false;
      }
      return;
    }
    case "BlockStatement": {
      const b = stmt as CallNode;
      checkCall(b, "block", scope);
      for (const p of b.params) visitExpr(p, scope);
      for (const pair of b.hash?.pairs ?? []) visitExpr(pair.value, scope);
      const maxDepth = currentRenderBudget().maxDepth;
      if (++blockDepth > maxDepth) {
        blockDepth = 0;
        throw new TemplateSyntaxError(
          `blocks nested deeper than ${maxDepth}${at(b)} (render budget RENDER_MAX_DEPTH)`,
        );
      }
      visitProgram(b.program as HbNode | undefined, scope);
      visitProgram(b.inverse as HbNode | undefined, scope);
      blockDepth--;
      return;
    }
    case "PartialStatement":
    case "PartialBlockStatement": {
      const name = (stmt as { name?: HbNode }).name;
      const label = name && name.type === "PathExpression" ? (name as PathNode).original : "?";
      throw new TemplateSyntaxError(
        `partial "${label}" is not defined${at(stmt)} (partials are not supported)`,
      );
    }
    default:
      throw new TemplateSyntaxError(`unsupported construct ${stmt.type}${at(stmt)}`);
  }
}

function buildAst(source: string): unknown {
  let ast: HbNode;
  try {
    ast = hb.parse(source, { ignoreStandalone: true }) as unknown as HbNode;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
    const hint = msg.includes("CLOSE_UNESCAPED")
      ? ' (hint: "}}}" right after {{…}} closes a triple-stash; write "}} }" or "}}{{!-- --}}}" instead)'
      : "";
    throw new TemplateSyntaxError(`Handlebars syntax error: ${msg}${hint}`);
  }
  blockDepth = 0;
  visitProgram(ast, new Set());
  return ast;
}

// --- compile and render -------------------------------------------------------------------------------------

export type RenderFn = (context: object, mode: EscapeMode) => string;

const COMPILE_OPTIONS = { ignoreStandalone: true, noEscape: true, strict: false } as const;
const CACHE_LIMIT = 2000;
const cache = new Map<string, RenderFn>();

interface HandlebarsInternals {
  Compiler: new () => { compile(ast: unknown, options: object): unknown };
  JavaScriptCompiler: new () => {
    compile(environment: unknown, options: object, context: undefined, asObject: true): unknown;
  };
}

/** A compiled Handlebars template as the runtime builds it (hb.template), with its per-call setup. */
type RuntimeTemplate = Handlebars.TemplateDelegate & { _setup(options: object): void };

/**
 * What hb.compile(ast, COMPILE_OPTIONS) runs on its first call (Handlebars' compileInput, with compile's default
 * `data: true`), done now, so that the runtime template itself is at hand. Every call of a runtime template starts
 * with `_setup`, which rebuilds the template's helper table (every registered helper wrapped anew, per call)
 * and its prototype-access rules from the call's options. Ours never pass helpers, partials, decorators or access
 * options, so that setup is the same for every call: it is done once here and not repeated per render.
 */
function compileOnce(ast: unknown): Handlebars.TemplateDelegate {
  const options = { ...COMPILE_OPTIONS, data: true };
  const internals = hb as unknown as HandlebarsInternals;
  const environment = new internals.Compiler().compile(hb.parse(ast as never, options), options);
  const spec = new internals.JavaScriptCompiler().compile(environment, options, undefined, true);
  const template = hb.template(spec as TemplateSpecification) as RuntimeTemplate;
  template._setup({});
  template._setup = () => {};
  return template;
}

/**
 * Compiles a Handlebars source (cached by source). Throws TemplateSyntaxError for syntax errors, unknown helpers,
 * partials and misuse of block helpers. The returned function throws on helper errors at render time.
 */
export function compileHandlebars(source: string): RenderFn {
  // compiling (the first use of a source) is not charged to the render budget of whoever uses it first
  return offTheClock(() => compileUncharged(source));
}

function compileUncharged(source: string): RenderFn {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  // Compile eagerly (precompile surfaces compiler errors now), then build the runnable template.
  try {
    hb.precompile(buildAst(source), COMPILE_OPTIONS);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw err;
    throw new TemplateSyntaxError(err instanceof Error ? err.message : String(err));
  }
  const template = compileOnce(buildAst(source));
  // every render runs under a budget (the active one, else a fresh default) with its own output count
  const render: RenderFn = (context, mode) =>
    withRenderBudget(undefined, () =>
      withOutputScope(() => {
        const out = template(context, { data: { _escapeMode: mode } });
        checkOutputSize(out.length);
        return out;
      }),
    );
  cache.set(source, render);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return render;
}

/** Number of cached compiled sources (for tests and metrics). */
export function compiledSourceCount(): number {
  return cache.size;
}
