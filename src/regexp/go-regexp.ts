// Go's regexp package, for what upstream evaluates with it: Sprig's regex* template functions and expr-lang's
// `matches` (and CEL's `matches()`, RE2 in cel-go too). RE2 syntax and semantics exactly (re2js, a port of Go's
// regexp: `(?P<name>…)`, `\A`, `\z`, `[[:alpha:]]`, `(?i)`/`(?s)`/`(?U)`, Go's `\s`, leftmost-first matching,
// Go's error messages), and matching in time linear in the input: a pattern from a namespace's template or
// trigger (`(a+)+$` against a long field) cannot stall the process, as it could with JavaScript's backtracking
// RegExp. Indexes are of the JavaScript string (UTF-16), never exposed to templates.
import { RE2JS, RE2JSException } from "re2js";

/** A pattern Go's regexp.Compile refuses; the message is Go's (`error parsing regexp: …`). */
export class GoRegexpSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoRegexpSyntaxError";
  }
}

/** More matches than one call may produce (a bound of ours, not Go's). */
export class GoRegexpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoRegexpLimitError";
  }
}

/** Matches one FindAll/ReplaceAll/Split call may go through. */
export const MAX_MATCHES = 100_000;
/** Compiled patterns kept (a template or condition compiles its constant patterns once). */
const MAX_CACHED = 1000;
const cache = new Map<string, GoRegexp>();

interface Re2 {
  match(s: string): boolean;
  findSubmatchIndex(s: string): number[] | null;
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
}

export class GoRegexp {
  readonly source: string;
  readonly #re2: Re2;
  readonly #names: Record<string, number>;

  private constructor(source: string, compiled: RE2JS) {
    this.source = source;
    this.#re2 = compiled.re2() as unknown as Re2;
    this.#names = compiled.namedGroups();
  }

  /** regexp.Compile (memoised by pattern). Throws GoRegexpSyntaxError with Go's message. */
  static compile(pattern: string): GoRegexp {
    const hit = cache.get(pattern);
    if (hit) return hit;
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(pattern);
    } catch (err) {
      if (err instanceof RE2JSException) throw new GoRegexpSyntaxError(err.message);
      throw err;
    }
    const re = new GoRegexp(pattern, compiled);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, re);
    return re;
  }

  /** Regexp.MatchString: a match anywhere in s. */
  matchString(s: string): boolean {
    return this.#re2.match(s);
  }

  /** Regexp.FindString: the leftmost match, "" when none. */
  findString(s: string): string {
    const m = this.#re2.findSubmatchIndex(s);
    return m ? s.slice(m[0], m[1]) : "";
  }

  /** Regexp.FindAllString: successive non-overlapping matches (at most n when n ≥ 0); [] when none. */
  findAllString(s: string, n: number): string[] {
    return this.#all(s, n).map((m) => s.slice(m[0], m[1]));
  }

  /** Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` in repl expanded as Regexp.Expand. */
  replaceAllString(s: string, repl: string): string {
    return this.#replaceAll(s, (m) => this.#expand(repl, s, m));
  }

  /** Regexp.ReplaceAllLiteralString: repl as it is. */
  replaceAllLiteralString(s: string, repl: string): string {
    return this.#replaceAll(s, () => repl);
  }

  /** Regexp.Split: the substrings between matches; n > 0 at most n of them, n == 0 none, n < 0 all. */
  split(s: string, n: number): string[] {
    if (n === 0) return [];
    if (this.source.length > 0 && s.length === 0) return [""];
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const m of this.#all(s, n)) {
      if (n > 0 && out.length === n - 1) break;
      end = m[0]!;
      if (m[1] !== 0) out.push(s.slice(beg, end));
      beg = m[1]!;
    }
    if (end !== s.length) out.push(s.slice(beg));
    return out;
  }

  /** Go's allMatches: the submatch indexes of successive matches (an empty match right after one is skipped). */
  #all(s: string, n: number): number[][] {
    const limit = n < 0 || n > MAX_MATCHES ? MAX_MATCHES + 1 : n;
    const all = this.#re2.findAllSubmatchIndex(s, limit) ?? [];
    if (all.length > MAX_MATCHES && (n < 0 || n > MAX_MATCHES)) {
      throw new GoRegexpLimitError(`more than ${MAX_MATCHES} matches of ${JSON.stringify(this.source)}`);
    }
    return all;
  }

  /** Regexp.replaceAll over the matches allMatches finds (the same matches: Go skips the same empty ones). */
  #replaceAll(s: string, repl: (m: number[]) => string): string {
    let out = "";
    let last = 0;
    for (const m of this.#all(s, -1)) {
      out += s.slice(last, m[0]) + repl(m);
      last = m[1]!;
    }
    return out + s.slice(last);
  }

  /** Regexp.expand with a string template. */
  #expand(template: string, src: string, m: number[]): string {
    let out = "";
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf("$");
      if (dollar < 0) break;
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith("$")) {
        out += "$";
        rest = rest.slice(1);
        continue;
      }
      const ref = extract(rest);
      if (!ref) {
        out += "$";
        continue;
      }
      rest = ref.rest;
      const group = ref.num >= 0 ? ref.num : this.#names[ref.name];
      if (group !== undefined && 2 * group + 1 < m.length && m[2 * group]! >= 0) {
        out += src.slice(m[2 * group], m[2 * group + 1]);
      }
    }
    return out + rest;
  }
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Go's regexp extract: `name` or `{name}` after a `$`; num is its group number, or -1 for a name. */
function extract(str: string): { name: string; num: number; rest: string } | undefined {
  let s = str;
  const brace = s.startsWith("{");
  if (brace) s = s.slice(1);
  let i = 0;
  for (const c of s) {
    if (!NAME_CHAR.test(c)) break;
    i += c.length;
  }
  if (i === 0) return undefined;
  const name = s.slice(0, i);
  if (brace) {
    if (s[i] !== "}") return undefined;
    i++;
  }
  let num = 0;
  for (const c of name) {
    if (c < "0" || c > "9" || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c.charCodeAt(0) - 48);
  }
  if (name[0] === "0" && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}

/** regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}
