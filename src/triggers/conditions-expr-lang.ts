// Rewrites the expr-lang dialect that upstream Argo notification configs use in `when`/`oncePer` into CEL.
// Only what has a faithful CEL equivalent is rewritten; constructs that do not are reported by name so the
// user can write them in CEL. Pure string work: no evaluation here.
//
//   and / or / not           →  && / || / !
//   nil                      →  null
//   len(x)                   →  size(x)
//   any(l, {pred})           →  (l).exists(itN, pred)      (`.field` and `#` inside the closure mean the element)
//   all / one / filter / map →  .all / .exists_one / .filter / .map
//   none(l, {pred})          →  !((l).exists(itN, pred))
//   count(l, {pred})         →  size((l).filter(itN, pred))
//   a contains b, a startsWith b, a endsWith b, a matches b  →  a.contains(b) …
//
// String literals ('…', "…", `…`) are never touched.

interface Token {
  kind: "str" | "ident" | "num" | "punct" | "ws";
  text: string;
}

const CLOSURE_BUILTINS: Record<string, (list: string, it: string, pred: string) => string> = {
  any: (l, it, p) => `(${l}).exists(${it}, ${p})`,
  all: (l, it, p) => `(${l}).all(${it}, ${p})`,
  none: (l, it, p) => `!((${l}).exists(${it}, ${p}))`,
  one: (l, it, p) => `(${l}).exists_one(${it}, ${p})`,
  filter: (l, it, p) => `(${l}).filter(${it}, ${p})`,
  map: (l, it, p) => `(${l}).map(${it}, ${p})`,
  count: (l, it, p) => `size((${l}).filter(${it}, ${p}))`,
};

const INFIX_METHODS = new Set(["contains", "startsWith", "endsWith", "matches"]);

/** expr-lang constructs with no CEL rewrite, with what to write instead. */
const UNSUPPORTED: { pattern: RegExp; what: string; instead: string }[] = [
  { pattern: /\bnot\s+in\b/, what: "`not in`", instead: "`!(x in y)`" },
  { pattern: /\?\?/, what: "`??` (nil coalescing)", instead: "`has(x.f) ? x.f : default`" },
  { pattern: /\?\./, what: "`?.` (optional chaining)", instead: "`has(x.f) && …`" },
  { pattern: /\.\./, what: "`..` (ranges)", instead: "a list literal" },
  { pattern: /(^|[^|])\|(?!\|)/, what: "`|` (pipes)", instead: "nested calls" },
  { pattern: /\bNow\s*\(/, what: "`time.Now()`", instead: "`time.now` (a CEL timestamp)" },
  { pattern: /\btime\.Parse\s*\(/, what: "`time.Parse(...)`", instead: '`timestamp("…")`' },
  { pattern: /\blet\s+\w+\s*=/, what: "`let`", instead: "`cel.bind(name, value, expr)`" },
];

export class ExprLangRewriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExprLangRewriteError";
  }
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" && c !== "`" ? 2 : 1;
      if (j >= src.length) throw new ExprLangRewriteError("unterminated string literal");
      const body = src.slice(i, j + 1);
      // backtick raw strings become CEL raw strings
      out.push({ kind: "str", text: c === "`" ? `r"""${body.slice(1, -1)}"""` : body });
      i = j + 1;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < src.length && /\s/.test(src[j]!)) j++;
      out.push({ kind: "ws", text: src.slice(i, j) });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ kind: "ident", text: src.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9a-fA-FxX._eE]/.test(src[j]!) && !(src[j] === "." && src[j + 1] === "."))
        j++;
      out.push({ kind: "num", text: src.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: "punct", text: c });
      i++;
    }
  }
  return out;
}

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Index just past the bracket group that starts at `start` (an opener). */
function skipGroup(tokens: Token[], start: number): number {
  const stack: string[] = [];
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "punct") continue;
    if (OPENERS[t.text]) stack.push(OPENERS[t.text]!);
    else if (t.text === ")" || t.text === "]" || t.text === "}") {
      if (stack.pop() !== t.text) throw new ExprLangRewriteError(`unbalanced '${t.text}'`);
      if (stack.length === 0) return i + 1;
    }
  }
  throw new ExprLangRewriteError("unbalanced brackets");
}

/** Splits the tokens between a call's parentheses at top-level commas. */
function splitArgs(tokens: Token[]): Token[][] {
  const args: Token[][] = [[]];
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    if (t.kind === "punct" && OPENERS[t.text]) {
      const end = skipGroup(tokens, i);
      args[args.length - 1]!.push(...tokens.slice(i, end));
      i = end;
      continue;
    }
    if (t.kind === "punct" && t.text === ",") args.push([]);
    else args[args.length - 1]!.push(t);
    i++;
  }
  return args;
}

function trimWs(tokens: Token[]): Token[] {
  let a = 0;
  let b = tokens.length;
  while (a < b && tokens[a]!.kind === "ws") a++;
  while (b > a && tokens[b - 1]!.kind === "ws") b--;
  return tokens.slice(a, b);
}

function isValueEnd(t: Token | undefined): boolean {
  if (!t) return false;
  return t.kind === "ident" || t.kind === "num" || t.kind === "str" || t.text === ")" || t.text === "]";
}

function lastNonWs(tokens: Token[], end = tokens.length): Token | undefined {
  for (let i = end - 1; i >= 0; i--) if (tokens[i]!.kind !== "ws") return tokens[i];
  return undefined;
}

/** Rewrites a closure body: `#` and a leading `.field` refer to the element variable `it`. */
function rewriteClosureBody(body: Token[], it: string, depth: number): string {
  const rewritten = rewriteTokens(body, depth + 1);
  const tokens = tokenize(rewritten);
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "#") {
      out.push({ kind: "ident", text: it });
    } else if (t.kind === "punct" && t.text === "." && !isValueEnd(lastNonWs(out))) {
      out.push({ kind: "ident", text: it }, t);
    } else {
      out.push(t);
    }
  }
  return out.map((t) => t.text).join("");
}

const KEYWORDS = new Set(["and", "or", "not", "in"]);

/** Start index of the primary expression (path, call, index, literal, group) ending just before `end`. */
function primaryStart(tokens: Token[], end: number): number {
  let i = end - 1;
  while (i >= 0 && tokens[i]!.kind === "ws") i--;
  if (i < 0) throw new ExprLangRewriteError("infix operator without a left operand");
  for (;;) {
    const t = tokens[i]!;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) {
      const open = t.text === ")" ? "(" : "[";
      let depth = 0;
      for (; i >= 0; i--) {
        const u = tokens[i]!;
        if (u.kind === "punct" && u.text === t.text) depth++;
        else if (u.kind === "punct" && u.text === open && --depth === 0) break;
      }
      if (i < 0) throw new ExprLangRewriteError("unbalanced brackets");
      const before = tokens[i - 1];
      if (isValueEnd(before) && !KEYWORDS.has(before!.text)) {
        i--; // callee of a call, or the value being indexed
        continue;
      }
      return i;
    }
    const before = tokens[i - 1];
    if (before?.kind === "punct" && before.text === "." && i >= 2) {
      i -= 2;
      continue;
    }
    return i;
  }
}

/** End index (exclusive) of the primary expression starting at or after `start`. */
function primaryEnd(tokens: Token[], start: number): { from: number; to: number } {
  let i = start;
  while (i < tokens.length && tokens[i]!.kind === "ws") i++;
  const from = i;
  if (i >= tokens.length) throw new ExprLangRewriteError("infix operator without a right operand");
  for (;;) {
    const t = tokens[i]!;
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) i = skipGroup(tokens, i);
    else if (t.kind === "str" || t.kind === "num" || t.kind === "ident") i++;
    else throw new ExprLangRewriteError(`unexpected '${t.text}' after infix operator`);
    const next = tokens[i];
    if (next && next.kind === "punct" && (next.text === "." || next.text === "(" || next.text === "[")) {
      if (next.text === ".") i++;
      continue;
    }
    return { from, to: i };
  }
}

function rewriteInfixMethods(tokens: Token[]): Token[] {
  let ts = tokens;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.kind !== "ident" || !INFIX_METHODS.has(t.text)) continue;
    const prev = lastNonWs(ts, i);
    if (!isValueEnd(prev) || (ts[i - 1]?.kind === "punct" && ts[i - 1]!.text === ".")) continue;
    const left = primaryStart(ts, i);
    const right = primaryEnd(ts, i + 1);
    const lhs = ts.slice(left, i);
    const rhs = ts.slice(right.from, right.to);
    const replaced: Token[] = [
      { kind: "punct", text: "(" },
      ...trimWs(lhs),
      { kind: "punct", text: ")" },
      { kind: "punct", text: "." },
      { kind: "ident", text: t.text },
      { kind: "punct", text: "(" },
      ...rhs,
      { kind: "punct", text: ")" },
    ];
    ts = [...ts.slice(0, left), ...replaced, ...ts.slice(right.to)];
    i = left + replaced.length - 1;
  }
  return ts;
}

function rewriteTokens(input: Token[], depth: number): string {
  const tokens = rewriteInfixMethods(input);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const afterDot = tokens[i - 1]?.kind === "punct" && tokens[i - 1]!.text === ".";
    if (t.kind !== "ident" || afterDot) {
      out.push(t.text);
      continue;
    }
    let j = i + 1;
    while (tokens[j]?.kind === "ws") j++;
    const calls = tokens[j]?.kind === "punct" && tokens[j]!.text === "(";
    if (t.text === "and") out.push("&&");
    else if (t.text === "or") out.push("||");
    else if (t.text === "not") out.push("!");
    else if (t.text === "nil") out.push("null");
    else if (t.text === "len" && calls) out.push("size");
    else if (calls && CLOSURE_BUILTINS[t.text]) {
      const end = skipGroup(tokens, j);
      const args = splitArgs(tokens.slice(j + 1, end - 1)).map(trimWs);
      const closure = args[1];
      const isClosure = args.length === 2 && closure?.[0]?.text === "{" && closure.at(-1)?.text === "}";
      if (!isClosure) {
        // e.g. CEL's own map()/filter() are methods, never bare calls; anything else is left for CEL to judge
        out.push(t.text);
        continue;
      }
      const it = `it${depth}`;
      const list = rewriteTokens(args[0]!, depth);
      const pred = rewriteClosureBody(closure.slice(1, -1), it, depth);
      out.push(CLOSURE_BUILTINS[t.text]!(list, it, pred.trim()));
      i = end - 1;
    } else out.push(t.text);
  }
  return out.join("");
}

/**
 * Rewrites expr-lang syntax into CEL. CEL input passes through unchanged (its `&&`, `||`, `!`, methods and
 * macros are not touched). Throws ExprLangRewriteError naming an expr-lang construct CEL cannot express.
 */
export function rewriteExprLangToCel(source: string): string {
  const code = tokenize(source)
    .map((t) => (t.kind === "str" ? '""' : t.text))
    .join("");
  for (const u of UNSUPPORTED) {
    if (u.pattern.test(code)) {
      throw new ExprLangRewriteError(`expr-lang ${u.what} has no CEL equivalent here; write ${u.instead}`);
    }
  }
  return rewriteTokens(tokenize(source), 0);
}

/** Whether an identifier occurs in the expression as a variable (outside string literals, not as a field). */
export function referencesVariable(source: string, name: string): boolean {
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch {
    return false;
  }
  return tokens.some(
    (t, i) =>
      t.kind === "ident" &&
      t.text === name &&
      !(tokens[i - 1]?.kind === "punct" && tokens[i - 1]!.text === "."),
  );
}
