// A parser for the Go text/template subset used in notification templates: text, actions with trim markers,
// comments, pipelines (fields, variables, literals, function calls, parenthesised pipelines, `|`), and
// if/else if/else, range (with $i, $v :=), with/else, standalone `$x := …`. Anything else (define, template,
// block, break, continue, assignment) is reported as an unsupported construct with its line.

export class GoConstructError extends Error {
  readonly construct: string;
  readonly line: number;
  constructor(construct: string, line: number, reason: string) {
    super(`cannot convert Go template construct "${construct}" (line ${line}): ${reason}`);
    this.name = "GoConstructError";
    this.construct = construct;
    this.line = line;
  }
}

// ---- arguments and pipelines ----

export type GoArg =
  | { kind: "field"; parts: string[] } // .a.b
  | { kind: "dot" } // .
  | { kind: "var"; name: string; parts: string[] } // $x.a ; name "" is $ (root)
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "ident"; name: string } // function name
  | { kind: "pipe"; pipe: GoPipe; parts: string[] }; // (pipeline).a.b

export interface GoPipe {
  decl: string[]; // variable names declared with := (without $)
  commands: GoArg[][];
}

// ---- tree ----

export interface Trim {
  left: boolean;
  right: boolean;
}
export type GoNode =
  | { kind: "text"; text: string }
  | { kind: "comment"; text: string; trim: Trim }
  | { kind: "output"; pipe: GoPipe; trim: Trim; raw: string; line: number }
  | { kind: "decl"; pipe: GoPipe; trim: Trim; raw: string; line: number }
  | GoBlock;

export interface GoBlock {
  kind: "if" | "range" | "with";
  pipe: GoPipe;
  body: GoNode[];
  /** `{{else}}` branch, or a chained `{{else if}}` / `{{else with}}` block. */
  elseBody?: GoNode[];
  elseChain?: GoBlock;
  openTrim: Trim;
  elseTrim?: Trim;
  endTrim: Trim;
  raw: string;
  line: number;
}

// ---- lexing actions ----

interface RawAction {
  content: string;
  trim: Trim;
  comment: boolean;
  line: number;
  raw: string;
}
type Item = { kind: "text"; text: string } | ({ kind: "action" } & RawAction);

const lineAt = (src: string, pos: number) => src.slice(0, pos).split("\n").length;
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";

function lexItems(src: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  while (pos < src.length) {
    const open = src.indexOf("{{", pos);
    if (open < 0) {
      items.push({ kind: "text", text: src.slice(pos) });
      break;
    }
    if (open > pos) items.push({ kind: "text", text: src.slice(pos, open) });
    const line = lineAt(src, open);
    let i = open + 2;
    const trimLeft = src[i] === "-" && isSpace(src[i + 1]);
    if (trimLeft) i += 2;
    while (isSpace(src[i])) i++;
    let comment = false;
    let end: number;
    if (src.startsWith("/*", i)) {
      comment = true;
      const close = src.indexOf("*/", i + 2);
      if (close < 0) throw new GoConstructError(src.slice(open, open + 20), line, "unclosed comment");
      end = src.indexOf("}}", close + 2);
    } else {
      end = findActionEnd(src, i);
    }
    if (end < 0) throw new GoConstructError(src.slice(open, open + 20), line, "unclosed action");
    let content = src.slice(i, end);
    let trimRight = false;
    if (/\s-$/.test(content)) {
      trimRight = true;
      content = content.slice(0, -1);
    }
    items.push({
      kind: "action",
      content: content.trim(),
      trim: { left: trimLeft, right: trimRight },
      comment,
      line,
      raw: src.slice(open, end + 2),
    });
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
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "`") {
      const close = src.indexOf("`", i + 1);
      if (close < 0) return -1;
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
const NUMBER = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/;

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
    if (/^[xuU]/.test(e)) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(Number.parseInt(e, 8));
    return fail(`unknown escape \\${e}`);
  });
}

function tokenize(action: RawAction): Tok[] {
  const s = action.content;
  const fail = (why: string): never => {
    throw new GoConstructError(action.raw, action.line, why);
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
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) fail("unterminated string");
      toks.push({ t: "arg", sp, arg: { kind: "string", value: decodeGoString(s.slice(i + 1, j), fail) } });
      i = j + 1;
    } else if (c === "`") {
      const j = s.indexOf("`", i + 1);
      if (j < 0) fail("unterminated raw string");
      toks.push({ t: "arg", sp, arg: { kind: "string", value: s.slice(i + 1, j) } });
      i = j + 1;
    } else if (c === "'") {
      const m = /^'(\\.[^']*|[^'\\])'/u.exec(rest);
      if (!m) fail("invalid character constant");
      const ch = decodeGoString(m![1]!, fail);
      toks.push({ t: "arg", sp, arg: { kind: "number", value: ch.codePointAt(0) ?? 0 } });
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
      const text = m[0].replace(/_/g, "");
      const n = /^[+-]?0[bBoO]/.test(text)
        ? Number.parseInt(text.replace(/^([+-]?)0[bBoO]/, "$1"), /[bB]/.test(text) ? 2 : 8)
        : Number(text);
      if (Number.isNaN(n)) fail(`invalid number ${m[0]}`);
      toks.push({ t: "arg", sp, arg: { kind: "number", value: n } });
      i += m[0].length;
    } else if (c === ".") {
      toks.push({ t: "arg", sp, arg: { kind: "dot" } });
      i++;
    } else if (IDENT.test(rest)) {
      const name = IDENT.exec(rest)![0];
      i += name.length;
      if (name === "true" || name === "false")
        toks.push({ t: "arg", sp, arg: { kind: "bool", value: name === "true" } });
      else if (name === "nil") toks.push({ t: "arg", sp, arg: { kind: "nil" } });
      else toks.push({ t: "arg", sp, arg: { kind: "ident", name } });
    } else {
      fail(`unexpected character "${c}"`);
    }
  }
  return toks;
}

// ---- pipelines ----

function parsePipe(toks: Tok[], action: RawAction, allowDecl: number): GoPipe {
  const fail = (why: string): never => {
    throw new GoConstructError(action.raw, action.line, why);
  };
  let pos = 0;
  const decl: string[] = [];
  // declarations: $x := …  or  $i, $v := …
  const declEnd = toks.findIndex((t) => t.t === ":=" || t.t === "=");
  if (
    declEnd >= 0 &&
    toks.slice(0, declEnd).every((t) => t.t === "," || (t.t === "arg" && t.arg.kind === "var"))
  ) {
    if (toks[declEnd]!.t === "=") fail("variable assignment is not supported");
    for (const t of toks.slice(0, declEnd)) if (t.t === "arg" && t.arg.kind === "var") decl.push(t.arg.name);
    if (decl.length > allowDecl)
      fail(allowDecl === 0 ? "variables cannot be declared here" : "too many variables");
    pos = declEnd + 1;
  }

  const parseCommands = (stopAtParen: boolean): GoArg[][] => {
    const commands: GoArg[][] = [];
    let cmd: GoArg[] = [];
    while (pos < toks.length) {
      const tok = toks[pos]!;
      if (tok.t === ")") {
        if (!stopAtParen) fail("unexpected )");
        break;
      }
      pos++;
      if (tok.t === "|") {
        if (cmd.length === 0) fail("missing command before |");
        commands.push(cmd);
        cmd = [];
      } else if (tok.t === "(") {
        const inner = parseCommands(true);
        if (toks[pos]?.t !== ")") fail("unclosed (");
        pos++;
        let parts: string[] = [];
        const next = toks[pos];
        if (next && next.t === "arg" && next.arg.kind === "field" && !next.sp) {
          parts = next.arg.parts;
          pos++;
        }
        cmd.push({ kind: "pipe", pipe: { decl: [], commands: inner }, parts });
      } else if (tok.t === "arg") {
        cmd.push(tok.arg);
      } else {
        fail(`unexpected "${tok.t}"`);
      }
    }
    if (cmd.length === 0) fail(commands.length ? "missing command after |" : "empty pipeline");
    commands.push(cmd);
    return commands;
  };
  const commands = parseCommands(false);
  if (pos < toks.length) fail("unexpected )");
  return { decl, commands };
}

// ---- tree ----

const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  define: "named templates are not supported",
  template: "named templates are not supported",
  block: "named templates are not supported",
  break: "break is not supported",
  continue: "continue is not supported",
};

export function parseGoTemplate(src: string): GoNode[] {
  const items = lexItems(src);
  let pos = 0;

  const keywordOf = (a: RawAction): string | undefined => {
    const m = /^[a-z]+/.exec(a.content)?.[0];
    if (!m) return undefined;
    const after = a.content[m.length];
    return after === undefined || isSpace(after) || after === "(" || after === "$" || after === "."
      ? m
      : undefined;
  };

  const parseBlock = (kind: GoBlock["kind"], action: RawAction, pipeText: string): GoBlock => {
    const toks = tokenize({ ...action, content: pipeText });
    const pipe = parsePipe(toks, action, kind === "range" ? 2 : kind === "with" ? 1 : 0);
    const block: GoBlock = {
      kind,
      pipe,
      body: [],
      openTrim: action.trim,
      endTrim: { left: false, right: false },
      raw: action.raw,
      line: action.line,
    };
    const { nodes, end } = parseList();
    block.body = nodes;
    if (!end) throw new GoConstructError(action.raw, action.line, `{{${kind}}} without {{end}}`);
    if (end.keyword === "end") {
      block.endTrim = end.action.trim;
      return block;
    }
    // else …
    block.elseTrim = end.action.trim;
    const rest = end.action.content.replace(/^else\s*/, "");
    const chained = /^(if|with)\b/.exec(rest)?.[1] as "if" | "with" | undefined;
    if (chained) {
      const chain = parseBlock(chained, end.action, rest.slice(chained.length));
      chain.openTrim = end.action.trim;
      block.elseChain = chain;
      block.endTrim = chain.endTrim;
      return block;
    }
    if (rest) throw new GoConstructError(end.action.raw, end.action.line, "unexpected text after else");
    const elsePart = parseList();
    if (elsePart.end?.keyword !== "end") {
      throw new GoConstructError(action.raw, action.line, `{{${kind}}} without {{end}}`);
    }
    block.elseBody = elsePart.nodes;
    block.endTrim = elsePart.end.action.trim;
    return block;
  };

  const parseList = (): { nodes: GoNode[]; end?: { keyword: "end" | "else"; action: RawAction } } => {
    const nodes: GoNode[] = [];
    while (pos < items.length) {
      const item = items[pos++]!;
      if (item.kind === "text") {
        nodes.push({ kind: "text", text: item.text });
        continue;
      }
      if (item.comment) {
        const text = item.content.replace(/^\/\*/, "").replace(/\*\/$/, "");
        nodes.push({ kind: "comment", text, trim: item.trim });
        continue;
      }
      const kw = keywordOf(item);
      if (kw === "end" || kw === "else") {
        if (kw === "end" && item.content !== "end") {
          throw new GoConstructError(item.raw, item.line, "unexpected text after end");
        }
        return { nodes, end: { keyword: kw, action: item } };
      }
      if (kw && kw in UNSUPPORTED_KEYWORDS)
        throw new GoConstructError(item.raw, item.line, UNSUPPORTED_KEYWORDS[kw]!);
      if (kw === "if" || kw === "range" || kw === "with") {
        nodes.push(parseBlock(kw, item, item.content.slice(kw.length)));
        continue;
      }
      const pipe = parsePipe(tokenize(item), item, 1);
      nodes.push({
        kind: pipe.decl.length ? "decl" : "output",
        pipe,
        trim: item.trim,
        raw: item.raw,
        line: item.line,
      });
    }
    return { nodes };
  };

  const { nodes, end } = parseList();
  if (end) throw new GoConstructError(end.action.raw, end.action.line, `unexpected {{${end.keyword}}}`);
  return nodes;
}
