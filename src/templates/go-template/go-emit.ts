// Emits Handlebars for a parsed Go template (go-parse.ts). Mapping:
//   .a.b → a.b    . → this    $ → @root    $x.a → x.a (block param)
//   {{if p}}…{{else if q}}…{{else}}…{{end}} → {{#if p}}…{{else if q}}…{{else}}…{{/if}}
//   {{range $i, $c := p}} → {{#each p as |c i|}}     {{with $v := p}} → {{#with p as |v|}}
//   {{$x := p}}…  → {{#let p as |x|}}…{{/let}} (until the end of the enclosing list)
//   {{- x -}} → {{~x~}}     {{/* c */}} → {{!-- c --}}
//   f a b | g c → (g c (f a b)) (a piped value is the last argument, as in Go)
// Functions are mapped by GO_FUNCTIONS; sprig's `default D V` becomes `default V D`, `join SEP L` → `join L SEP`.
import {
  type GoArg,
  type GoBlock,
  GoConstructError,
  type GoNode,
  type GoPipe,
  type Trim,
} from "./go-parse.ts";

interface FnMapping {
  name: string;
  /** Reorders Go arguments (already emitted) into the helper's order. */
  order?: (args: string[]) => string[];
  arity?: number;
}

const same = (name: string): FnMapping => ({ name });
const swap2 = (args: string[]) => [args[1]!, args[0]!];

export const GO_FUNCTIONS: Readonly<Record<string, FnMapping>> = {
  eq: same("eq"),
  ne: same("ne"),
  lt: same("lt"),
  le: same("le"),
  gt: same("gt"),
  ge: same("ge"),
  and: same("and"),
  or: same("or"),
  not: same("not"),
  len: same("len"),
  index: same("index"),
  print: same("print"),
  println: same("println"),
  printf: same("printf"),
  urlquery: same("urlquery"),
  toJson: same("json"),
  toRawJson: same("json"),
  mustToJson: same("json"),
  toPrettyJson: same("jsonPretty"),
  mustToPrettyJson: same("jsonPretty"),
  quote: same("quote"),
  squote: same("squote"),
  upper: same("upper"),
  lower: same("lower"),
  title: same("title"),
  trim: same("trim"),
  trimPrefix: same("trimPrefix"),
  trimSuffix: same("trimSuffix"),
  replace: same("replace"),
  contains: same("contains"),
  hasPrefix: same("hasPrefix"),
  hasSuffix: same("hasSuffix"),
  trunc: same("trunc"),
  toString: same("print"),
  add: same("add"),
  add1: same("add1"),
  sub: same("sub"),
  mul: same("mul"),
  div: same("div"),
  mod: same("mod"),
  now: same("now"),
  default: { name: "default", order: swap2, arity: 2 },
  join: { name: "join", order: swap2, arity: 2 },
};

const HB_RESERVED = new Set(["this", "else", "true", "false", "null", "undefined", "as"]);
const HB_SIMPLE_ID = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export interface EmitOptions {
  /** Helper names: a single-segment field with one of these names is written this.x so it stays a lookup. */
  helperNames: ReadonlySet<string>;
}

type Emitted = { kind: "path" | "literal" | "call"; text: string; literalValue?: string };

export function emitHandlebars(nodes: GoNode[], opts: EmitOptions): string {
  const fieldHeads = new Set<string>();
  collectFieldHeads(nodes, fieldHeads);
  const usedNames = new Set<string>([...fieldHeads, ...opts.helperNames, ...HB_RESERVED]);

  const segment = (s: string) => (HB_SIMPLE_ID.test(s) && !HB_RESERVED.has(s) ? s : `[${s}]`);
  const blockParamName = (goName: string): string => {
    let name = HB_SIMPLE_ID.test(goName) ? goName : "v";
    while (usedNames.has(name)) name = `${name}_`;
    usedNames.add(name);
    return name;
  };

  const stringLiteral = (v: string, line: number, raw: string): string => {
    if (/\\$/.test(v))
      throw new GoConstructError(raw, line, "a string ending with a backslash cannot be converted");
    if (!v.includes('"')) return `"${v}"`;
    if (!v.includes("'")) return `'${v}'`;
    return `"${v.replace(/"/g, '\\"')}"`;
  };

  const emitPipe = (pipe: GoPipe, scope: Map<string, string>, line: number, raw: string): Emitted => {
    let piped: Emitted | undefined;
    for (const cmd of pipe.commands) piped = emitCommand(cmd, piped, scope, line, raw);
    return piped!;
  };

  const asParam = (e: Emitted) => (e.kind === "call" ? `(${e.text})` : e.text);

  const emitCommand = (
    cmd: GoArg[],
    piped: Emitted | undefined,
    scope: Map<string, string>,
    line: number,
    raw: string,
  ): Emitted => {
    const head = cmd[0]!;
    if (head.kind === "ident") {
      const fn = GO_FUNCTIONS[head.name];
      if (!fn) throw new GoConstructError(raw, line, `function "${head.name}" has no Handlebars equivalent`);
      let args = cmd.slice(1).map((a) => asParam(emitArg(a, scope, line, raw)));
      if (piped) args.push(asParam(piped));
      if (fn.arity !== undefined && args.length !== fn.arity) {
        throw new GoConstructError(raw, line, `${head.name} takes ${fn.arity} arguments, got ${args.length}`);
      }
      if (fn.order) args = fn.order(args);
      return { kind: "call", text: [fn.name, ...args].join(" ") };
    }
    if (cmd.length > 1 || piped) {
      throw new GoConstructError(raw, line, "arguments given to something that is not a function");
    }
    return emitArg(head, scope, line, raw);
  };

  const emitArg = (a: GoArg, scope: Map<string, string>, line: number, raw: string): Emitted => {
    switch (a.kind) {
      case "field": {
        const path = a.parts.map(segment).join(".");
        const needsThis =
          a.parts.length === 1 &&
          (opts.helperNames.has(a.parts[0]!) || [...scope.values()].includes(a.parts[0]!));
        return { kind: "path", text: needsThis ? `this.${path}` : path };
      }
      case "dot":
        return { kind: "path", text: "this" };
      case "var": {
        const base = a.name === "" ? "@root" : scope.get(a.name);
        if (!base) throw new GoConstructError(raw, line, `undefined variable $${a.name}`);
        return { kind: "path", text: [base, ...a.parts.map(segment)].join(".") };
      }
      case "string":
        return { kind: "literal", text: stringLiteral(a.value, line, raw), literalValue: a.value };
      case "number":
        return { kind: "literal", text: String(a.value), literalValue: String(a.value) };
      case "bool":
        return { kind: "literal", text: String(a.value), literalValue: String(a.value) };
      case "nil":
        return { kind: "literal", text: "null", literalValue: "" };
      case "ident": {
        if (GO_FUNCTIONS[a.name]) return emitCommand([a], undefined, scope, line, raw);
        throw new GoConstructError(raw, line, `function "${a.name}" has no Handlebars equivalent`);
      }
      case "pipe": {
        let inner = emitPipe(a.pipe, scope, line, raw);
        for (const part of a.parts)
          inner = { kind: "call", text: `lookup ${asParam(inner)} ${stringLiteral(part, line, raw)}` };
        return inner;
      }
    }
  };

  const open = (t: Trim) => (t.left ? "{{~" : "{{");
  const close = (t: Trim) => (t.right ? "~}}" : "}}");
  const exprOf = (pipe: GoPipe, scope: Map<string, string>, line: number, raw: string) =>
    asParam(emitPipe(pipe, scope, line, raw));

  // Go text never contains "{{"; in Handlebars a "}" right after "}}" would read as "}}}" (triple-stash close),
  // so an empty comment separates them, and a trailing backslash is doubled so it doesn't escape the next "{{".
  const emitText = (text: string) =>
    (text.startsWith("}") ? "{{!-- --}}" : "") + text.replace(/\{\{/g, "\\{{").replace(/\\$/, "\\\\");

  const emitBlock = (b: GoBlock, scope: Map<string, string>, chained: boolean): string => {
    const inner = new Map(scope);
    const params = b.pipe.decl.map((goName) => {
      const name = blockParamName(goName);
      inner.set(goName, name);
      return name;
    });
    // Handlebars block params are |value index|; Go declares $index, $value.
    const ordered = b.kind === "range" && params.length === 2 ? [params[1]!, params[0]!] : params;
    const helper = b.kind === "range" ? "each" : b.kind;
    const expr = exprOf(b.pipe, scope, b.line, b.raw);
    const asClause = ordered.length ? ` as |${ordered.join(" ")}|` : "";
    let out = chained
      ? `${open(b.openTrim)}else ${helper} ${expr}${asClause}${close(b.openTrim)}`
      : `${open(b.openTrim)}#${helper} ${expr}${asClause}${close(b.openTrim)}`;
    out += emitList(b.body, inner);
    if (b.elseChain) out += emitBlock(b.elseChain, scope, true);
    else if (b.elseBody) out += `${open(b.elseTrim!)}else${close(b.elseTrim!)}${emitList(b.elseBody, scope)}`;
    if (!chained) out += `${open(b.endTrim)}/${helper}${close(b.endTrim)}`;
    return out;
  };

  const emitList = (list: GoNode[], scope: Map<string, string>): string => {
    let out = "";
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!;
      switch (n.kind) {
        case "text":
          out += emitText(n.text);
          break;
        case "comment":
          out += `${open(n.trim)}!--${n.text.replace(/--/g, "- -")}--${close(n.trim)}`;
          break;
        case "output": {
          const e = emitPipe(n.pipe, scope, n.line, n.raw);
          if (e.kind === "literal") {
            // a literal prints as text; trim markers survive as empty comments
            const l = n.trim.left ? "{{~!-- --}}" : "";
            const r = n.trim.right ? "{{!-- --~}}" : "";
            out += `${l}${emitText(e.literalValue ?? "")}${r}`;
          } else out += `${open(n.trim)}${e.text}${close(n.trim)}`;
          break;
        }
        case "decl": {
          const inner = new Map(scope);
          const name = blockParamName(n.pipe.decl[0]!);
          inner.set(n.pipe.decl[0]!, name);
          const expr = exprOf(n.pipe, scope, n.line, n.raw);
          out += `${open(n.trim)}#let ${expr} as |${name}|${close(n.trim)}${emitList(list.slice(i + 1), inner)}{{/let}}`;
          return out;
        }
        default:
          out += emitBlock(n, scope, false);
      }
    }
    return out;
  };

  return emitList(nodes, new Map());
}

function collectFieldHeads(nodes: GoNode[], out: Set<string>): void {
  const fromArgs = (args: GoArg[]) => {
    for (const a of args) {
      if (a.kind === "field") out.add(a.parts[0]!);
      if (a.kind === "pipe") for (const c of a.pipe.commands) fromArgs(c);
    }
  };
  const fromPipe = (p: GoPipe) => {
    for (const c of p.commands) fromArgs(c);
  };
  const fromBlock = (b: GoBlock) => {
    fromPipe(b.pipe);
    collectFieldHeads(b.body, out);
    if (b.elseBody) collectFieldHeads(b.elseBody, out);
    if (b.elseChain) fromBlock(b.elseChain);
  };
  for (const n of nodes) {
    if (n.kind === "output" || n.kind === "decl") fromPipe(n.pipe);
    else if (n.kind === "if" || n.kind === "range" || n.kind === "with") fromBlock(n);
  }
}
