// A bounded parser for the expr-lang (github.com/expr-lang/expr, v1.16 as vendored by notifications-engine)
// subset that trigger conditions use: literals, member access (`.`, `?.`, `[…]`), calls, unary/binary
// operators with expr-lang's precedence table (parser/operator/operator.go), `not in` style negated
// operators, the ternary, array literals and predicate closures (`{ .field == 1 }`, `#`). Anything else in
// expr-lang's grammar (pipes, ranges, slices, map literals, `let`, variable declarations) is rejected with
// a message naming it, never approximated. Pure; no evaluation here (expr-lang-eval.ts).

export type ExprNode =
  | { t: "nil" }
  | { t: "bool"; v: boolean }
  | { t: "num"; v: number; int: boolean }
  | { t: "str"; v: string }
  | { t: "ident"; name: string }
  | { t: "pointer"; field?: string } // `#` (the closure's element), or `.field` at the start of a closure
  | { t: "member"; obj: ExprNode; prop: ExprNode; optional: boolean }
  | { t: "chain"; node: ExprNode }
  | { t: "call"; callee: ExprNode; args: ExprNode[] }
  | { t: "closure"; body: ExprNode }
  | { t: "unary"; op: string; arg: ExprNode }
  | { t: "binary"; op: string; left: ExprNode; right: ExprNode }
  | { t: "cond"; test: ExprNode; then: ExprNode; else: ExprNode }
  | { t: "array"; items: ExprNode[] };

export class ExprLangSyntaxError extends Error {
  /** true when the text is not expr-lang at all (it may be CEL); false for expr-lang we do not support. */
  readonly notExprLang: boolean;
  constructor(message: string, notExprLang: boolean) {
    super(message);
    this.name = "ExprLangSyntaxError";
    this.notExprLang = notExprLang;
  }
}

const MAX_SOURCE = 4000;
const MAX_NODES = 2000;
const MAX_DEPTH = 64;

interface Tok {
  k: "num" | "str" | "ident" | "op" | "br" | "eof";
  v: string;
  pos: number;
  /** numbers: integer literal */
  int?: boolean;
}

const OPERATORS = [
  "?.",
  "??",
  "...",
  "..",
  "**",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "|",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "^",
  "!",
  "?",
  ":",
  ".",
  ",",
  "#",
  ";",
  "=",
];
const WORD_OPERATORS = new Set(["and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"]);

function unsupported(what: string): never {
  throw new ExprLangSyntaxError(`expr-lang ${what} is not supported in conditions`, false);
}

function notExpr(message: string): never {
  throw new ExprLangSyntaxError(message, true);
}

function readString(src: string, i: number): { value: string; end: number } {
  const q = src[i]!;
  if (q === "`") {
    const end = src.indexOf("`", i + 1);
    if (end < 0) notExpr("unterminated string literal");
    return { value: src.slice(i + 1, end), end: end + 1 };
  }
  let out = "";
  let j = i + 1;
  while (j < src.length && src[j] !== q) {
    const c = src[j]!;
    if (c !== "\\") {
      out += c;
      j++;
      continue;
    }
    const e = src[j + 1];
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      "\\": "\\",
      "'": "'",
      '"': '"',
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      j += 2;
    } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
      out += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
      j += 6;
    } else if (e === "x" && /^[0-9a-fA-F]{2}$/.test(src.slice(j + 2, j + 4))) {
      out += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 4), 16));
      j += 4;
    } else notExpr(`invalid escape in string literal at ${j}`);
  }
  if (j >= src.length) notExpr("unterminated string literal");
  return { value: out, end: j + 1 };
}

export function tokenizeExprLang(src: string): Tok[] {
  if (src.length > MAX_SOURCE) unsupported(`expression longer than ${MAX_SOURCE} characters`);
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === "`") {
      const s = readString(src, i);
      out.push({ k: "str", v: s.value, pos: i });
      i = s.end;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? "") && !isValueEnd(out.at(-1)))) {
      const m =
        /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9_]+(?:[eE][+-]?[0-9]+)?)/.exec(
          src.slice(i),
        )!;
      const text = m[0].replace(/_/g, "");
      const int = /^(0[xXoObB]|[0-9]+$)/.test(text);
      const value = int
        ? /^0[oO]/.test(text)
          ? Number.parseInt(text.slice(2), 8)
          : /^0[bB]/.test(text)
            ? Number.parseInt(text.slice(2), 2)
            : Number(text)
        : Number(text);
      out.push({ k: "num", v: text, pos: i, int });
      (out.at(-1) as Tok & { value?: number }).value = value;
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_$]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      out.push({ k: WORD_OPERATORS.has(word) ? "op" : "ident", v: word, pos: i });
      i = j;
    } else if ("()[]{}".includes(c)) {
      out.push({ k: "br", v: c, pos: i });
      i++;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (!op) notExpr(`unexpected character '${c}' at ${i}`);
      // `a?.5:1` style ternaries: `?.` followed by a digit is `?` then `.5`
      if (op === "?." && /[0-9]/.test(src[i + 2] ?? "")) {
        out.push({ k: "op", v: "?", pos: i });
        i++;
        continue;
      }
      out.push({ k: "op", v: op, pos: i });
      i += op.length;
    }
  }
  out.push({ k: "eof", v: "", pos: src.length });
  return out;
}

function isValueEnd(t: Tok | undefined): boolean {
  return !!t && (t.k === "ident" || t.k === "num" || t.k === "str" || t.v === ")" || t.v === "]");
}

const BINARY: Record<string, { p: number; right?: boolean }> = {
  or: { p: 10 },
  "||": { p: 10 },
  and: { p: 15 },
  "&&": { p: 15 },
  "==": { p: 20 },
  "!=": { p: 20 },
  "<": { p: 20 },
  ">": { p: 20 },
  ">=": { p: 20 },
  "<=": { p: 20 },
  in: { p: 20 },
  matches: { p: 20 },
  contains: { p: 20 },
  startsWith: { p: 20 },
  endsWith: { p: 20 },
  "+": { p: 30 },
  "-": { p: 30 },
  "*": { p: 60 },
  "/": { p: 60 },
  "%": { p: 60 },
  "**": { p: 100, right: true },
  "^": { p: 100, right: true },
  "??": { p: 500 },
};
const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);
const UNARY: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };

class Parser {
  private i = 0;
  private nodes = 0;
  private depth = 0;
  private closureDepth = 0;
  private readonly toks: Tok[];
  constructor(toks: Tok[]) {
    this.toks = toks;
  }

  private get cur(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private is(k: Tok["k"], v?: string): boolean {
    return this.cur.k === k && (v === undefined || this.cur.v === v);
  }
  private expect(k: Tok["k"], v: string): void {
    if (!this.is(k, v)) notExpr(`expected '${v}' at ${this.cur.pos}, found '${this.cur.v || "end"}'`);
    this.i++;
  }
  private node<N extends ExprNode>(n: N): N {
    if (++this.nodes > MAX_NODES) unsupported(`expression with more than ${MAX_NODES} nodes`);
    return n;
  }

  parse(): ExprNode {
    const n = this.expression(0);
    if (this.is("op", ";") || this.is("op", "=")) unsupported("variable declarations (`let`, `;`)");
    if (!this.is("eof")) notExpr(`unexpected '${this.cur.v}' at ${this.cur.pos}`);
    return n;
  }

  private expression(minPrec: number): ExprNode {
    if (++this.depth > MAX_DEPTH) unsupported(`nesting deeper than ${MAX_DEPTH}`);
    try {
      if (this.is("ident", "let")) unsupported("`let`");
      let left = this.unaryOrPrimary();
      for (;;) {
        const t = this.cur;
        if (t.k !== "op") break;
        if (t.v === "|") unsupported("pipes (`|`)");
        if (t.v === ".." || t.v === "...") unsupported("ranges (`..`)");
        let op = t.v;
        let negate = false;
        if (op === "not" && this.toks[this.i + 1]?.k === "op" && NEGATABLE.has(this.toks[this.i + 1]!.v)) {
          negate = true;
          op = this.toks[this.i + 1]!.v;
        }
        const info = BINARY[op];
        if (!info || info.p < minPrec) break;
        this.i += negate ? 2 : 1;
        const right = this.expression(info.right ? info.p : info.p + 1);
        left = this.node({ t: "binary", op, left, right });
        if (negate) left = this.node({ t: "unary", op: "not", arg: left });
      }
      if (minPrec === 0 && this.is("op", "?")) {
        this.next();
        const then = this.expression(0);
        this.expect("op", ":");
        const otherwise = this.expression(0);
        left = this.node({ t: "cond", test: left, then, else: otherwise });
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private unaryOrPrimary(): ExprNode {
    const t = this.cur;
    if (t.k === "op" && UNARY[t.v] !== undefined) {
      this.next();
      const arg = this.expression(UNARY[t.v]!);
      return this.node({ t: "unary", op: t.v === "!" ? "not" : t.v, arg });
    }
    return this.postfix(this.primary());
  }

  private primary(): ExprNode {
    const t = this.next();
    switch (t.k) {
      case "num":
        return this.node({ t: "num", v: (t as Tok & { value: number }).value, int: t.int === true });
      case "str":
        return this.node({ t: "str", v: t.v });
      case "ident": {
        if (t.v === "nil") return this.node({ t: "nil" });
        if (t.v === "true" || t.v === "false") return this.node({ t: "bool", v: t.v === "true" });
        if (this.is("br", "(")) {
          const args = this.arguments();
          return this.node({ t: "call", callee: { t: "ident", name: t.v }, args });
        }
        return this.node({ t: "ident", name: t.v });
      }
      case "op":
        if (t.v === "#") {
          if (this.closureDepth === 0) unsupported("`#` outside a predicate");
          if (this.is("ident")) unsupported("`#name` variables");
          return this.node({ t: "pointer" });
        }
        if (t.v === "." && this.closureDepth > 0 && this.is("ident")) {
          return this.node({ t: "pointer", field: this.next().v });
        }
        return notExpr(`unexpected '${t.v}' at ${t.pos}`);
      case "br":
        if (t.v === "(") {
          const inner = this.expression(0);
          this.expect("br", ")");
          return inner;
        }
        if (t.v === "[") {
          const items: ExprNode[] = [];
          while (!this.is("br", "]")) {
            items.push(this.expression(0));
            if (!this.is("op", ",")) break;
            this.next();
          }
          this.expect("br", "]");
          return this.node({ t: "array", items });
        }
        if (t.v === "{") unsupported("map literals");
        return notExpr(`unexpected '${t.v}' at ${t.pos}`);
      default:
        return notExpr("unexpected end of expression");
    }
  }

  private arguments(): ExprNode[] {
    this.expect("br", "(");
    const args: ExprNode[] = [];
    while (!this.is("br", ")")) {
      if (this.is("br", "{")) {
        this.next();
        this.closureDepth++;
        const body = this.expression(0);
        this.closureDepth--;
        this.expect("br", "}");
        args.push(this.node({ t: "closure", body }));
      } else args.push(this.expression(0));
      if (!this.is("op", ",")) break;
      this.next();
    }
    this.expect("br", ")");
    return args;
  }

  private postfix(start: ExprNode): ExprNode {
    let node = start;
    let chained = false;
    for (;;) {
      const t = this.cur;
      if (t.k === "op" && (t.v === "." || t.v === "?.")) {
        const optional = t.v === "?.";
        this.next();
        if (optional && this.is("br", "[")) {
          node = this.index(node, true);
          chained = true;
          continue;
        }
        const prop = this.next();
        if (prop.k !== "ident" && !(prop.k === "op" && /^[A-Za-z]+$/.test(prop.v))) {
          notExpr(`expected a name after '${t.v}' at ${prop.pos}`);
        }
        const member = this.node<ExprNode>({
          t: "member",
          obj: node,
          prop: { t: "str", v: prop.v },
          optional,
        });
        node = this.is("br", "(") ? this.node({ t: "call", callee: member, args: this.arguments() }) : member;
        chained ||= optional;
      } else if (t.k === "br" && t.v === "[") {
        node = this.index(node, false);
      } else break;
    }
    return chained ? this.node({ t: "chain", node }) : node;
  }

  private index(obj: ExprNode, optional: boolean): ExprNode {
    this.expect("br", "[");
    if (this.is("op", ":")) unsupported("slices (`[a:b]`)");
    const prop = this.expression(0);
    if (this.is("op", ":")) unsupported("slices (`[a:b]`)");
    this.expect("br", "]");
    return this.node({ t: "member", obj, prop, optional });
  }
}

/** Parses an expr-lang expression. Throws ExprLangSyntaxError (notExprLang: true for text that is not expr-lang). */
export function parseExprLang(source: string): ExprNode {
  return new Parser(tokenizeExprLang(source)).parse();
}

/** Every node of a tree, depth first. */
export function* walkExpr(node: ExprNode): Generator<ExprNode> {
  yield node;
  switch (node.t) {
    case "member":
      yield* walkExpr(node.obj);
      yield* walkExpr(node.prop);
      break;
    case "chain":
      yield* walkExpr(node.node);
      break;
    case "call":
      // a builtin's name is not a variable
      if (node.callee.t !== "ident") yield* walkExpr(node.callee);
      for (const a of node.args) yield* walkExpr(a);
      break;
    case "closure":
      yield* walkExpr(node.body);
      break;
    case "unary":
      yield* walkExpr(node.arg);
      break;
    case "binary":
      yield* walkExpr(node.left);
      yield* walkExpr(node.right);
      break;
    case "cond":
      yield* walkExpr(node.test);
      yield* walkExpr(node.then);
      yield* walkExpr(node.else);
      break;
    case "array":
      for (const a of node.items) yield* walkExpr(a);
      break;
  }
}
