// A parser for Go text/template (the language of Argo Rollouts' notification templates): text, actions with
// trim markers ({{- -}}), comments, pipelines (fields, variables, literals, function calls, method calls,
// parenthesised pipelines with field chains, `|`), variable declaration and assignment ($x := / $x =),
// if / else if / else, range (with $i, $v :=; break, continue), with / else with / else, define / template /
// block. go-exec.ts executes the tree. Errors name the line and the action.

export class GoParseError extends Error {
  readonly construct: string;
  readonly line: number;
  readonly reason: string;
  constructor(construct: string, line: number, reason: string) {
    super(
      `line ${line}: ${reason} (in ${construct.length > 60 ? `${construct.slice(0, 57)}...` : construct})`,
    );
    this.name = "GoParseError";
    this.construct = construct;
    this.line = line;
    this.reason = reason;
  }
}

// ---- arguments and pipelines ----

export type GoArg =
  | { kind: "field"; parts: string[] } // .a.b
  | { kind: "dot" } // .
  | { kind: "var"; name: string; parts: string[] } // $x.a ; name "" is $ (root)
  | { kind: "string"; value: string }
  | { kind: "number"; text: string; int?: bigint; float?: number; rune?: boolean }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "ident"; name: string } // function name
  | { kind: "pipe"; pipe: GoPipe; parts: string[] }; // (pipeline).a.b

export interface GoPipe {
  /** Variables declared (:=) or assigned (=), without $. */
  decl: string[];
  assign: boolean;
  commands: GoArg[][];
}

// ---- tree ----

interface Pos {
  raw: string;
  line: number;
}
export type GoNode =
  | { kind: "text"; text: string }
  | ({ kind: "action"; pipe: GoPipe } & Pos)
  | ({ kind: "template"; name: string; pipe?: GoPipe } & Pos)
  | ({ kind: "break" | "continue" } & Pos)
  | GoBlock;

export interface GoBlock extends Pos {
  kind: "if" | "range" | "with";
  pipe: GoPipe;
  body: GoNode[];
  /** `{{else}}` branch; `{{else if}}` / `{{else with}}` become a one-block else branch. */
  elseBody?: GoNode[];
}

export interface GoTemplateTree {
  root: GoNode[];
  /** Named templates ({{define}} / {{block}}). */
  defines: Map<string, GoNode[]>;
}

// ---- lexing actions ----

interface RawAction extends Pos {
  content: string;
  comment: boolean;
}
type Item = { kind: "text"; text: string } | ({ kind: "action" } & RawAction);

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";
const MAX_SOURCE = 1_000_000;
/** Nesting of blocks and of parentheses (the parser and the interpreter recurse on both). */
const MAX_NESTING = 200;
const MAX_ELSE_CHAIN = 1000;

function lexItems(src: string): Item[] {
  if (src.length > MAX_SOURCE)
    throw new GoParseError("template", 1, `template longer than ${MAX_SOURCE} characters`);
  const items: Item[] = [];
  let pos = 0;
  let line = 1;
  let trimNext = false;
  const pushText = (text: string, trimRight: boolean) => {
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    if (trimRight) text = text.replace(/[ \t\r\n]+$/, "");
    trimNext = false;
    if (text) items.push({ kind: "text", text });
  };
  const countLines = (s: string) => {
    for (const c of s) if (c === "\n") line++;
  };
  while (pos < src.length) {
    const open = src.indexOf("{{", pos);
    const textEnd = open < 0 ? src.length : open;
    const trimLeft = open >= 0 && src[open + 2] === "-" && isSpace(src[open + 3]);
    pushText(src.slice(pos, textEnd), trimLeft);
    countLines(src.slice(pos, textEnd));
    if (open < 0) break;
    const actionLine = line;
    const i = open + 2 + (trimLeft ? 2 : 0);
    let comment = false;
    let end: number;
    let contentEnd: number;
    let trimRight = false;
    if (src.startsWith("/*", i)) {
      comment = true;
      const close = src.indexOf("*/", i + 2);
      if (close < 0) throw new GoParseError(src.slice(open, open + 20), actionLine, "unclosed comment");
      let after = close + 2;
      if (isSpace(src[after]) && src[after + 1] === "-" && src.startsWith("}}", after + 2)) {
        trimRight = true;
        after += 2;
      }
      if (!src.startsWith("}}", after))
        throw new GoParseError(
          src.slice(open, close + 4),
          actionLine,
          "comment ends before closing delimiter",
        );
      end = after;
      contentEnd = close + 2;
    } else {
      end = findActionEnd(src, i);
      if (end < 0) {
        const why =
          end === -2
            ? "unterminated quoted string"
            : end === -3
              ? "unterminated raw quoted string"
              : "unclosed action";
        throw new GoParseError(src.slice(open, open + 20), actionLine, why);
      }
      contentEnd = end;
      if (end - 1 >= i && src[end - 1] === "-" && isSpace(src[end - 2])) {
        trimRight = true;
        contentEnd = end - 1;
      }
    }
    const raw = src.slice(open, end + 2);
    items.push({
      kind: "action",
      content: src.slice(i, contentEnd).trim(),
      comment,
      line: actionLine,
      raw,
    });
    countLines(src.slice(open + 2, end));
    trimNext = trimRight;
    pos = end + 2;
  }
  return items;
}

function findActionEnd(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      if (i >= src.length || src[i] === "\n") return -2;
      i++;
    } else if (c === "`") {
      const close = src.indexOf("`", i + 1);
      if (close < 0) return -3;
      i = close + 1;
    } else if (c === "}" && src[i + 1] === "}") {
      return i;
    } else i++;
  }
  return -1;
}

// ---- tokens inside an action ----

type Tok =
  | { t: "("; sp: boolean }
  | { t: ")"; sp: boolean }
  | { t: "|"; sp: boolean }
  | { t: ","; sp: boolean }
  | { t: ":="; sp: boolean }
  | { t: "="; sp: boolean }
  | { t: "arg"; sp: boolean; arg: GoArg };

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*/u;
const FIELD_CHAIN = /^(\.[\p{L}_][\p{L}\p{N}_]*)+/u;
const NUMBER =
  /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?\.?)/;

function decodeGoString(body: string, fail: (why: string) => never): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      "\\": "\\",
      '"': '"',
      "'": "'",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    if (e in simple) return simple[e]!;
    if (/^x/.test(e)) return Buffer.from([Number.parseInt(e.slice(1), 16)]).toString("latin1");
    if (/^[uU]/.test(e)) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(Number.parseInt(e, 8));
    return fail(`unknown escape sequence \\${e}`);
  });
}

function numberArg(text: string, fail: (why: string) => never): GoArg {
  const clean = text.replace(/_/g, "");
  const neg = clean.startsWith("-");
  const body = clean.replace(/^[+-]/, "");
  let int: bigint | undefined;
  let float: number | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[bB][01]+$/.test(body) || /^0[oO][0-7]+$/.test(body)) {
    int = BigInt(body);
  } else if (/^0[0-7]+$/.test(body)) {
    int = BigInt(`0o${body.slice(1)}`);
  } else if (/^\d+$/.test(body)) {
    int = BigInt(body);
  }
  if (int !== undefined) {
    if (neg) int = -int;
    float = Number(int);
    if (int > 9223372036854775807n || int < -9223372036854775808n) int = undefined;
  } else {
    float = Number(/^0[xX]/.test(body) ? Number.NaN : clean);
    if (Number.isNaN(float)) fail(`bad number syntax: "${text}"`);
    if (Number.isInteger(float) && Math.abs(float) < 2 ** 63) int = BigInt(float);
  }
  const arg: GoArg = { kind: "number", text };
  if (int !== undefined) arg.int = int;
  if (float !== undefined) arg.float = float;
  return arg;
}

function tokenize(action: RawAction, content = action.content): Tok[] {
  const s = content;
  const fail = (why: string): never => {
    throw new GoParseError(action.raw, action.line, why);
  };
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const start = i;
    while (isSpace(s[i])) i++;
    if (i >= s.length) break;
    const sp = i > start;
    const rest = s.slice(i);
    const c = s[i]!;
    if (c === "(" || c === ")" || c === "|" || c === ",") {
      toks.push({ t: c, sp });
      i++;
    } else if (rest.startsWith(":=")) {
      toks.push({ t: ":=", sp });
      i += 2;
    } else if (c === "=") {
      toks.push({ t: "=", sp });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === "\n") fail("unterminated quoted string");
        j += s[j] === "\\" ? 2 : 1;
      }
      if (j >= s.length) fail("unterminated quoted string");
      toks.push({ t: "arg", sp, arg: { kind: "string", value: decodeGoString(s.slice(i + 1, j), fail) } });
      i = j + 1;
    } else if (c === "`") {
      const j = s.indexOf("`", i + 1);
      if (j < 0) fail("unterminated raw quoted string");
      toks.push({ t: "arg", sp, arg: { kind: "string", value: s.slice(i + 1, j) } });
      i = j + 1;
    } else if (c === "'") {
      const m = /^'(\\[^']+|[^'\\])'/u.exec(rest);
      if (!m) fail("unterminated character constant");
      const ch = decodeGoString(m![1]!, fail);
      const cp = ch.codePointAt(0) ?? 0;
      toks.push({
        t: "arg",
        sp,
        arg: { kind: "number", text: m![0], int: BigInt(cp), float: cp, rune: true },
      });
      i += m![0].length;
    } else if (c === "." && FIELD_CHAIN.test(rest)) {
      const m = FIELD_CHAIN.exec(rest)!;
      toks.push({ t: "arg", sp, arg: { kind: "field", parts: m[0].slice(1).split(".") } });
      i += m[0].length;
    } else if (c === "$") {
      const name = IDENT.exec(rest.slice(1))?.[0] ?? "";
      i += 1 + name.length;
      const chain = FIELD_CHAIN.exec(s.slice(i))?.[0] ?? "";
      i += chain.length;
      toks.push({ t: "arg", sp, arg: { kind: "var", name, parts: chain ? chain.slice(1).split(".") : [] } });
    } else if ((/[0-9+-]/.test(c) || (c === "." && /^\.\d/.test(rest))) && NUMBER.test(rest)) {
      const m = NUMBER.exec(rest)!;
      if (/^[\p{L}_]/u.test(rest.slice(m[0].length))) fail(`bad number syntax: "${rest.split(/[\s)]/)[0]}"`);
      toks.push({ t: "arg", sp, arg: numberArg(m[0], fail) });
      i += m[0].length;
    } else if (c === ".") {
      toks.push({ t: "arg", sp, arg: { kind: "dot" } });
      i++;
    } else if (IDENT.test(rest)) {
      const name = IDENT.exec(rest)![0];
      i += name.length;
      const chain = FIELD_CHAIN.exec(s.slice(i))?.[0];
      if (name === "true" || name === "false" || name === "nil") {
        if (chain) fail(`unexpected . after term "${name}"`);
        if (name === "nil") toks.push({ t: "arg", sp, arg: { kind: "nil" } });
        else toks.push({ t: "arg", sp, arg: { kind: "bool", value: name === "true" } });
      } else if (chain) {
        // f.X is a chain on the result of f, as (f).X (parse.go operand)
        i += chain.length;
        const call: GoArg = { kind: "ident", name };
        toks.push({
          t: "arg",
          sp,
          arg: {
            kind: "pipe",
            pipe: { decl: [], assign: false, commands: [[call]] },
            parts: chain.slice(1).split("."),
          },
        });
      } else toks.push({ t: "arg", sp, arg: { kind: "ident", name } });
    } else {
      fail(`unexpected "${c}" in command`);
    }
  }
  return toks;
}

// ---- pipelines ----

export interface ParseScope {
  /** Function names the template may call. */
  functions: ReadonlySet<string>;
  /** Declared variables, innermost last. */
  vars: string[];
}

function parsePipe(
  toks: Tok[],
  action: RawAction,
  scope: ParseScope,
  allowDecl: number,
  context: string,
): GoPipe {
  const fail = (why: string): never => {
    throw new GoParseError(action.raw, action.line, why);
  };
  let pos = 0;
  let parenDepth = 0;
  const decl: string[] = [];
  let assign = false;
  const declEnd = toks.findIndex((t) => t.t === ":=" || t.t === "=");
  if (
    declEnd >= 0 &&
    declEnd > 0 &&
    toks
      .slice(0, declEnd)
      .every((t, k) => (k % 2 === 1 ? t.t === "," : t.t === "arg" && t.arg.kind === "var"))
  ) {
    assign = toks[declEnd]!.t === "=";
    for (const t of toks.slice(0, declEnd)) {
      if (t.t === "arg" && t.arg.kind === "var") {
        if (t.arg.parts.length) fail(`unexpected "${t.arg.parts.join(".")}" in ${context}`);
        decl.push(t.arg.name);
      }
    }
    if (decl.length > allowDecl || (decl.length === 2 && assign && allowDecl < 2))
      fail(allowDecl === 0 ? `unexpected ":=" in ${context}` : `too many declarations in ${context}`);
    if (assign) for (const d of decl) if (!scope.vars.includes(d)) fail(`undefined variable "$${d}"`);
    pos = declEnd + 1;
  }

  const checkArg = (a: GoArg) => {
    if (a.kind === "var" && a.name !== "" && !scope.vars.includes(a.name))
      fail(`undefined variable "$${a.name}"`);
  };

  const parseCommands = (stopAtParen: boolean): GoArg[][] => {
    const commands: GoArg[][] = [];
    let cmd: GoArg[] = [];
    while (pos < toks.length) {
      const tok = toks[pos]!;
      if (tok.t === ")") {
        if (!stopAtParen) fail("unexpected right paren");
        break;
      }
      pos++;
      if (tok.t === "|") {
        if (cmd.length === 0) fail("missing command");
        commands.push(cmd);
        cmd = [];
      } else if (tok.t === "(") {
        if (++parenDepth > MAX_NESTING) fail(`parentheses nested more than ${MAX_NESTING} deep`);
        const inner = parseCommands(true);
        parenDepth--;
        if (toks[pos]?.t !== ")") fail("unclosed left paren");
        pos++;
        let parts: string[] = [];
        const next = toks[pos];
        if (next && next.t === "arg" && next.arg.kind === "field" && !next.sp) {
          parts = next.arg.parts;
          pos++;
        }
        cmd.push({ kind: "pipe", pipe: { decl: [], assign: false, commands: inner }, parts });
      } else if (tok.t === "arg") {
        // operands must be separated by spaces: `.a"x"` is an error in Go
        if (cmd.length > 0 && !tok.sp) fail(`missing space between operands`);
        checkArg(tok.arg);
        const fn =
          tok.arg.kind === "ident"
            ? tok.arg
            : tok.arg.kind === "pipe"
              ? tok.arg.pipe.commands[0]?.[0]
              : undefined;
        if (fn?.kind === "ident" && !scope.functions.has(fn.name)) fail(`function "${fn.name}" not defined`);
        cmd.push(tok.arg);
      } else {
        fail(`unexpected "${tok.t}" in ${context}`);
      }
    }
    if (cmd.length === 0) fail(commands.length ? "missing command" : `missing value for ${context}`);
    commands.push(cmd);
    // a non-function operand cannot take arguments, and only the first command can be a non-function
    for (let k = 0; k < commands.length; k++) {
      const c = commands[k]!;
      const head = c[0]!;
      const callable =
        head.kind === "ident" ||
        head.kind === "field" ||
        (head.kind === "var" && head.parts.length > 0) ||
        (head.kind === "pipe" && head.parts.length > 0);
      if (!callable && c.length > 1) fail(`can't give argument to non-function ${describe(head)}`);
      if (k > 0 && !callable) fail(`non executable command in pipeline stage ${k + 1}`);
    }
    return commands;
  };
  const commands = parseCommands(false);
  if (pos < toks.length) fail("unexpected right paren");
  return { decl, assign, commands };
}

function describe(a: GoArg): string {
  switch (a.kind) {
    case "string":
      return JSON.stringify(a.value);
    case "number":
      return a.text;
    case "bool":
      return String(a.value);
    case "nil":
      return "nil";
    case "dot":
      return ".";
    case "var":
      return `$${a.name}`;
    default:
      return a.kind;
  }
}

// ---- tree ----

const KEYWORDS = new Set([
  "if",
  "range",
  "with",
  "end",
  "else",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);

/** Parses a whole template. `functions` are the names it may call (a call to another is a parse error, as in Go). */
export function parseGoTemplate(src: string, functions: ReadonlySet<string>): GoTemplateTree {
  const items = lexItems(src);
  let pos = 0;
  const defines = new Map<string, GoNode[]>();
  const scope: ParseScope = { functions, vars: [""] };
  let rangeDepth = 0;
  let blockDepth = 0;
  let chainLength = 0;

  const keywordOf = (a: RawAction): string | undefined => {
    const m = /^[a-z]+/.exec(a.content)?.[0];
    if (!m || !KEYWORDS.has(m)) return undefined;
    const after = a.content[m.length];
    return after === undefined ||
      isSpace(after) ||
      after === "(" ||
      after === "$" ||
      after === "." ||
      after === '"' ||
      after === "`"
      ? m
      : undefined;
  };

  const templateName = (a: RawAction, rest: string, kw: string): { name: string; pipeText: string } => {
    const toks = tokenize(a, rest);
    const first = toks[0];
    if (first?.t !== "arg" || first.arg.kind !== "string")
      throw new GoParseError(
        a.raw,
        a.line,
        `unexpected ${first ? "operand" : "end"} in ${kw} clause; expected a quoted name`,
      );
    const m = /^\s*("(\\.|[^"\\])*"|`[^`]*`)/.exec(rest)!;
    return { name: first.arg.value, pipeText: rest.slice(m[0].length) };
  };

  const withScope = <T>(fn: () => T): T => {
    const depth = scope.vars.length;
    try {
      return fn();
    } finally {
      scope.vars.length = depth;
    }
  };

  const parseBlock = (kind: GoBlock["kind"], action: RawAction, pipeText: string): GoBlock =>
    withScope(() => {
      const toks = tokenize(action, pipeText);
      const pipe = parsePipe(toks, action, scope, kind === "range" ? 2 : 1, kind);
      if (!pipe.assign) scope.vars.push(...pipe.decl);
      const block: GoBlock = { kind, pipe, body: [], raw: action.raw, line: action.line };
      if (kind === "range") rangeDepth++;
      if (++blockDepth > MAX_NESTING)
        throw new GoParseError(action.raw, action.line, `blocks nested more than ${MAX_NESTING} deep`);
      let list: ReturnType<typeof parseList>;
      try {
        list = parseList();
      } finally {
        if (kind === "range") rangeDepth--;
        blockDepth--;
      }
      block.body = list.nodes;
      const end = list.end;
      if (!end)
        throw new GoParseError(action.raw, action.line, `unexpected EOF: {{${kind}}} without {{end}}`);
      if (end.keyword === "end") return block;
      const rest = end.action.content.replace(/^else\s*/, "");
      const chained = /^(if|with)\b/.exec(rest)?.[1] as "if" | "with" | undefined;
      if (chained) {
        if (kind === "range")
          throw new GoParseError(end.action.raw, end.action.line, "unexpected else if in range");
        if (++chainLength > MAX_ELSE_CHAIN)
          throw new GoParseError(
            end.action.raw,
            end.action.line,
            `more than ${MAX_ELSE_CHAIN} else-if branches`,
          );
        block.elseBody = [parseBlock(chained, end.action, rest.slice(chained.length))];
        chainLength--;
        return block;
      }
      if (rest) throw new GoParseError(end.action.raw, end.action.line, `unexpected "${rest}" in else`);
      // variables of the block's pipeline stay visible in else (Go), but not those declared in the body
      blockDepth++;
      const elsePart = withScope(() => parseList());
      blockDepth--;
      if (elsePart.end?.keyword !== "end") {
        throw new GoParseError(
          action.raw,
          action.line,
          `expected end; found ${elsePart.end ? "else" : "EOF"}`,
        );
      }
      block.elseBody = elsePart.nodes;
      return block;
    });

  const parseList = (): { nodes: GoNode[]; end?: { keyword: "end" | "else"; action: RawAction } } => {
    const nodes: GoNode[] = [];
    while (pos < items.length) {
      const item = items[pos++]!;
      if (item.kind === "text") {
        nodes.push({ kind: "text", text: item.text });
        continue;
      }
      if (item.comment) continue;
      if (item.content === "") throw new GoParseError(item.raw, item.line, "missing value for command");
      const kw = keywordOf(item);
      if (kw === "end" || kw === "else") {
        if (kw === "end" && item.content !== "end") {
          throw new GoParseError(item.raw, item.line, `unexpected "${item.content.slice(3).trim()}" in end`);
        }
        return { nodes, end: { keyword: kw, action: item } };
      }
      const rest = kw ? item.content.slice(kw.length) : "";
      switch (kw) {
        case "if":
        case "range":
        case "with":
          nodes.push(parseBlock(kw, item, rest));
          continue;
        case "break":
        case "continue":
          if (rest.trim())
            throw new GoParseError(item.raw, item.line, `unexpected "${rest.trim()}" in ${kw}`);
          if (rangeDepth === 0) throw new GoParseError(item.raw, item.line, `{{${kw}}} outside {{range}}`);
          nodes.push({ kind: kw, raw: item.raw, line: item.line });
          continue;
        case "template":
        case "block": {
          const { name, pipeText } = templateName(item, rest, kw);
          const node: GoNode = { kind: "template", name, raw: item.raw, line: item.line };
          if (pipeText.trim()) node.pipe = parsePipe(tokenize(item, pipeText), item, scope, 0, kw);
          if (kw === "block") {
            const saved = scope.vars.splice(1);
            const body = parseList();
            scope.vars.push(...saved);
            if (body.end?.keyword !== "end")
              throw new GoParseError(item.raw, item.line, "unexpected EOF: {{block}} without {{end}}");
            defines.set(name, body.nodes);
          }
          nodes.push(node);
          continue;
        }
        case "define": {
          const { name, pipeText } = templateName(item, rest, kw);
          if (pipeText.trim())
            throw new GoParseError(item.raw, item.line, `unexpected "${pipeText.trim()}" in define clause`);
          if (blockDepth > 0) throw new GoParseError(item.raw, item.line, "unexpected <define> in command");
          const saved = scope.vars.splice(1);
          blockDepth++;
          const body = parseList();
          blockDepth--;
          scope.vars.push(...saved);
          if (body.end?.keyword !== "end")
            throw new GoParseError(item.raw, item.line, "unexpected EOF: {{define}} without {{end}}");
          defines.set(name, body.nodes);
          continue;
        }
      }
      const pipe = parsePipe(tokenize(item), item, scope, 1, "command");
      if (!pipe.assign) scope.vars.push(...pipe.decl);
      nodes.push({ kind: "action", pipe, raw: item.raw, line: item.line });
    }
    return { nodes };
  };
  const { nodes, end } = parseList();
  if (end) throw new GoParseError(end.action.raw, end.action.line, `unexpected {{${end.keyword}}}`);
  return { root: nodes, defines };
}
