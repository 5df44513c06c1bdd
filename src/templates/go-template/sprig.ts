// Sprig v3's text function map (Masterminds/sprig functions.go genericMap) with Go semantics, minus `env` and
// `expandenv` (removed by notifications-engine). Each function declares its Go parameter types so go-exec.ts
// checks arguments as text/template does (an int64 is not an int, a missing value is not a string).
// Functions that need the network or key material are declared `unsupported` and reported at load.
import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { posix } from "node:path";
import { GoRegexp, GoRegexpLimitError, GoRegexpSyntaxError, quoteMeta } from "../../regexp/go-regexp.ts";
import { formatFloat, goQuote, sprint, sprintf, sprintValue } from "./go-fmt.ts";
import { goJson } from "./go-json.ts";
import {
  durationString,
  GoDuration,
  GoTime,
  loadZone,
  parseDuration,
  parseTime,
  UTC,
  ZERO_TIME,
} from "./go-time.ts";
import {
  GoExecError,
  GoFunc,
  GoInt64,
  type GoMap,
  GoObject,
  type GoValue,
  goTypeOf,
  intOf,
  isEmpty,
  isInt,
  isMap,
  typedSlice,
} from "./go-values.ts";
import { semverCompare, semverOf } from "./semver.ts";
import { toKebabCase, toPascalCase, toSnakeCase } from "./xstrings.ts";

export type ParamType = "any" | "string" | "int" | "int64" | "float64" | "bool" | "map" | "time" | "value";

export interface FuncEnv {
  /** time.Now() for this render (the notification's time, so a retry renders the same text). */
  now(): GoTime;
  /** Notes a render-time warning (e.g. a Slack lookup that could not be made). */
  warn(message: string): void;
}

export interface GoFuncSpec {
  params: ParamType[];
  variadic?: ParamType;
  fn: (args: GoValue[], env: FuncEnv) => GoValue;
  /** Set for functions this service cannot run (network, key material): reported at load. */
  unsupported?: string;
}

const spec = (params: ParamType[], fn: GoFuncSpec["fn"], variadic?: ParamType): GoFuncSpec =>
  variadic ? { params, fn, variadic } : { params, fn };

// ---- conversions (spf13/cast v1.9 as sprig uses it) ----

/** cast.ToInt64: numbers truncate, strings parse (base prefixes, decimals dropped), bool 0/1, else 0. */
export function castInt(v: GoValue): bigint {
  if (v === undefined || v === null) return 0n;
  if (isInt(v)) return intOf(v);
  if (typeof v === "number")
    return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : -9223372036854775808n;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    let s = v;
    if (s.includes(".")) {
      const m = /^([-+]?\d*)(\.\d*)?$/.exec(s);
      if (m) s = m[1] === "-" || m[1] === "+" ? `${m[1]}0` : m[1] || "0";
    }
    return parseGoInt(s) ?? 0n;
  }
  if (v instanceof GoDuration) return v.ns;
  return 0n;
}

/** strconv.ParseInt(s, 0, 64). */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2]!;
  if (body.includes("_")) {
    if (!/^0[xXbBoO]?/.test(body) || /__|_$/.test(body)) return undefined;
    body = body.replace(/_/g, "");
  }
  let n: bigint;
  if (/^0[0-7]+$/.test(body)) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (m[1] === "-") n = -n;
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

/** cast.ToFloat64. */
export function castFloat(v: GoValue): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  if (isInt(v)) return Number(intOf(v));
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const t = v.replace(/_/g, "");
    if (
      !/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F.]+([pP][+-]?\d+)?|[iI]nf(inity)?|NaN)$/.test(
        t,
      )
    )
      return 0;
    const n = Number(t.replace(/^([+-]?)[iI]nf(inity)?$/, "$1Infinity"));
    return Number.isNaN(n) && t !== "NaN" ? 0 : n;
  }
  return 0;
}

/** sprig's strval: strings as they are, Stringers by String(), others with %v. */
export function strval(v: GoValue): string {
  if (typeof v === "string") return v;
  if (v instanceof GoObject) {
    const s = v.goString();
    if (s !== undefined) return s;
  }
  return sprintValue(v);
}

function listOf(v: GoValue, what: string): GoValue[] | null {
  if (v === undefined || v === null) throw new GoExecError(`Cannot ${what} on type <nil>`);
  if (Array.isArray(v)) return v;
  throw new GoExecError(`Cannot ${what} on type ${goTypeOf(v)}`);
}

/** sprig's strslice. */
function strslice(v: GoValue): string[] {
  if (Array.isArray(v))
    return typedSlice(v.filter((e) => e !== null && e !== undefined).map(strval), "[]string");
  if (v === undefined || v === null) return typedSlice([], "[]string");
  return typedSlice([strval(v)], "[]string");
}

const bytesOf = (s: string) => Buffer.from(s, "utf8");
const str = (b: Buffer) => b.toString("utf8");

/** reflect.DeepEqual for template values. */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (a instanceof GoInt64 && b instanceof GoInt64) return a.v === b.v;
  if (a instanceof GoTime && b instanceof GoTime)
    return a.ms === b.ms && a.ns === b.ns && a.zone.offset === b.zone.offset;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((e, i) => deepEqual(e, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k]);
    return out;
  }
  return v;
}

// ---- decimal arithmetic for addf/subf/mulf/divf (shopspring/decimal from NewFromFloat) ----

interface Dec {
  n: bigint;
  /** value = n × 10^-scale */
  scale: number;
}
function decOf(x: number): Dec {
  if (!Number.isFinite(x)) throw new GoExecError(`Cannot create a Decimal from ${formatFloat(x, "g", -1)}`);
  const s = formatFloat(x, "e", -1);
  const [mant, exp] = s.split("e") as [string, string];
  const digits = mant.replace(".", "").replace("-", "");
  const frac = mant.includes(".") ? mant.split(".")[1]!.length : 0;
  let scale = frac - Number(exp);
  let n = BigInt(digits) * (mant.startsWith("-") ? -1n : 1n);
  if (scale < 0) {
    n *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { n, scale };
}
const align = (a: Dec, b: Dec): [bigint, bigint, number] => {
  const s = Math.max(a.scale, b.scale);
  return [a.n * 10n ** BigInt(s - a.scale), b.n * 10n ** BigInt(s - b.scale), s];
};
function decToFloat(d: Dec): number {
  const neg = d.n < 0n;
  let digits = (neg ? -d.n : d.n).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, "0");
    digits = `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
  }
  return Number((neg ? "-" : "") + digits);
}
function decDiv(a: Dec, b: Dec): Dec {
  if (b.n === 0n) throw new GoExecError("decimal division by 0");
  // shopspring: DivRound(d2, DivisionPrecision=16), half away from zero
  const prec = 16;
  const [x, y] = align(a, b);
  const num = x * 10n ** BigInt(prec + 1);
  let q = num / y;
  const neg = q < 0n;
  if (neg) q = -q;
  const last = q % 10n;
  q /= 10n;
  if (last >= 5n) q += 1n;
  return { n: neg ? -q : q, scale: prec };
}
function decimalOp(first: GoValue, rest: GoValue[], op: "add" | "sub" | "mul" | "div"): number {
  let acc = decOf(castFloat(first));
  for (const r of rest) {
    const d = decOf(castFloat(r));
    if (op === "div") acc = decDiv(acc, d);
    else if (op === "mul") acc = { n: acc.n * d.n, scale: acc.scale + d.scale };
    else {
      const [x, y, s] = align(acc, d);
      acc = { n: op === "add" ? x + y : x - y, scale: s };
    }
  }
  return decToFloat(acc);
}

// ---- strings ----

const isGoSpace = (c: string) =>
  /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(c);
const goTrimSpace = (s: string) =>
  s.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    "",
  );

/** strings.Title: upper-cases the first letter of each word; isSeparator decides where words start. */
function goTitle(s: string): string {
  const isSeparator = (r: string) => {
    if (r.codePointAt(0)! <= 0x7f) return !/[0-9A-Za-z_]/.test(r);
    if (/[\p{L}\p{Nd}]/u.test(r)) return false;
    return /\s/u.test(r);
  };
  let prev = " ";
  let out = "";
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function trimSet(s: string, cut: string): string {
  const set = new Set(Array.from(cut));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

/** goutils.WrapCustom (only spaces are break points; existing newlines are ordinary characters). */
function goWrap(str: string, wrapLength: number, newLineStr = "\n", wrapLongWords = false): string {
  if (str === "") return "";
  if (wrapLength < 1) wrapLength = 1;
  const len = str.length;
  let offset = 0;
  let out = "";
  while (len - offset > wrapLength) {
    if (str[offset] === " ") {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const spaceToWrapAt = str.slice(offset, end).lastIndexOf(" ") + offset;
    if (spaceToWrapAt >= offset) {
      out += str.slice(offset, spaceToWrapAt) + newLineStr;
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      out += str.slice(offset, wrapLength + offset) + newLineStr;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const index = str.slice(e).indexOf(" ");
      if (index === -1) {
        out += str.slice(offset);
        offset = len;
      } else {
        out += str.slice(offset, index + e) + newLineStr;
        offset = index + e + 1;
      }
    }
  }
  return out + str.slice(offset);
}

function abbreviate(s: string, offset: number, maxWidth: number): string {
  const len = s.length;
  if (len <= maxWidth) return s;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return `${s.slice(0, maxWidth - 3)}...`;
  if (offset + (maxWidth - 3) < len) return `...${abbreviate(s.slice(offset), 0, maxWidth - 3)}`;
  return `...${s.slice(len - (maxWidth - 3))}`;
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of bytesOf(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function base64Decode(v: string): string {
  const clean = v.replace(/[\r\n]/g, "");
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad) return `illegal base64 data at input byte ${bad.index}`;
  if (clean.length % 4 !== 0 || /=[^=]/.test(clean)) {
    return `illegal base64 data at input byte ${Math.max(0, clean.indexOf("=") >= 0 ? clean.indexOf("=") : clean.length - (clean.length % 4))}`;
  }
  return Buffer.from(clean, "base64").toString("utf8");
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Encode(s: string): string {
  const bytes = bytesOf(s);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}
function base32Decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  const body = clean.replace(/=+$/, "");
  for (let i = 0; i < body.length; i++) {
    const idx = B32.indexOf(body[i]!);
    if (idx < 0) return `illegal base32 data at input byte ${i}`;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  if (clean.length % 8 !== 0) return `illegal base32 data at input byte ${clean.length - (clean.length % 8)}`;
  return Buffer.from(bytes).toString("utf8");
}

// ---- regular expressions: Go's regexp (RE2), src/regexp/go-regexp.ts ----

/** regexp.MustCompile as Sprig calls it: a bad pattern fails the template with Go's message. */
function goRegex(re: string): GoRegexp {
  try {
    return GoRegexp.compile(re);
  } catch (err) {
    if (err instanceof GoRegexpSyntaxError) throw new GoExecError(err.message);
    throw err;
  }
}

/** A call that could go through more matches than MAX_MATCHES fails the template (not the process). */
function bounded<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof GoRegexpLimitError) throw new GoExecError(err.message);
    throw err;
  }
}

// ---- dates ----

function timeOf(v: GoValue, env: FuncEnv): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof GoInt64 || typeof v === "bigint") return new GoTime(Number(intOf(v)) * 1000);
  return env.now();
}

function dateInZone(layout: string, date: GoValue, zone: string, env: FuncEnv): string {
  const t = timeOf(date, env);
  const z = loadZone(zone, t.ms) ?? UTC;
  return t.in(z).format(layout);
}

// ---- the table ----

const s1 = (fn: (s: string) => GoValue) => spec(["string"], ([a]) => fn(a as string));
const s2 = (fn: (a: string, b: string) => GoValue) =>
  spec(["string", "string"], ([a, b]) => fn(a as string, b as string));
const hash = (alg: string) => s1((s) => createHash(alg).update(bytesOf(s)).digest("hex"));
const goInt64 = (n: bigint) => new GoInt64(n);
const toInt = (n: bigint) => BigInt.asIntN(64, n);

function dictGet(d: GoValue, key: string): GoValue {
  if (!isMap(d)) return "";
  return Object.hasOwn(d, key) ? d[key] : "";
}
function requireMap(d: GoValue, fn: string): GoMap {
  if (!isMap(d)) throw new GoExecError(`assignment to entry in nil map (${fn})`);
  return d;
}

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean, depth = 0): void {
  if (depth > 100) throw new GoExecError("merge: maps nested too deeply");
  for (const k of Object.keys(src)) {
    const sv = src[k];
    const dv = dst[k];
    if (isMap(dv) && isMap(sv)) mergeInto(dv, sv, overwrite, depth + 1);
    else if (!Object.hasOwn(dst, k) || (overwrite ? !isEmpty(sv) || dv === undefined : isEmpty(dv))) {
      if (overwrite && isEmpty(sv) && Object.hasOwn(dst, k)) continue;
      dst[k] = sv;
    }
  }
}

/** Sprig's merge/mergeOverwrite (and their must* twins, which behave the same here): maps into the first. */
function mergeSpec(name: string, overwrite: boolean): GoFuncSpec {
  return spec(
    ["map"],
    ([dst, ...srcs]) => {
      const d = requireMap(dst, name);
      for (const s of srcs) if (isMap(s)) mergeInto(d, s, overwrite);
      return d;
    },
    "map",
  );
}

function dig(args: GoValue[]): GoValue {
  if (args.length < 3) throw new GoExecError("dig needs at least three arguments");
  const dict = args[args.length - 1];
  const def = args[args.length - 2];
  const keys = args.slice(0, -2).map((k) => {
    if (typeof k !== "string")
      throw new GoExecError(`interface conversion: interface {} is ${goTypeOf(k)}, not string`);
    return k;
  });
  let cur: GoValue = dict;
  for (let i = 0; i < keys.length; i++) {
    if (!isMap(cur))
      throw new GoExecError(
        `interface conversion: interface {} is ${goTypeOf(cur)}, not map[string]interface {}`,
      );
    if (!Object.hasOwn(cur, keys[i]!)) return def;
    cur = cur[keys[i]!];
  }
  return cur;
}

function urlParse(v: string): GoMap {
  let u: URL;
  try {
    u = new URL(v, /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(v) ? undefined : "relative:///");
  } catch {
    throw new GoExecError(`unable to parse url: ${v}`);
  }
  const relative = u.protocol === "relative:";
  const userinfo = u.username ? (u.password ? `${u.username}:${u.password}` : u.username) : "";
  return {
    scheme: relative ? "" : u.protocol.replace(/:$/, ""),
    host: relative ? "" : u.host,
    hostname: relative ? "" : u.hostname,
    path: decodeURIComponent(
      relative ? (v.startsWith("/") ? u.pathname : u.pathname.replace(/^\//, "")) : u.pathname,
    ),
    query: u.search.replace(/^\?/, ""),
    opaque: "",
    fragment: decodeURIComponent(u.hash.replace(/^#/, "")),
    userinfo,
  };
}

function urlJoin(d: GoMap): string {
  const g = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : "");
  let out = "";
  if (g("scheme")) out += `${g("scheme")}:`;
  if (g("opaque")) out += g("opaque");
  else {
    if (g("scheme") || g("host") || g("userinfo")) {
      out += "//";
      if (g("userinfo")) out += `${g("userinfo")}@`;
      out += g("host");
    }
    const p = g("path");
    if (p && !p.startsWith("/") && g("host")) out += "/";
    out += encodeURI(p);
  }
  if (g("query")) out += `?${g("query")}`;
  if (g("fragment")) out += `#${encodeURIComponent(g("fragment"))}`;
  return out;
}

function goClean(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, "") : n;
}

const unsupported = (why: string): GoFuncSpec => ({
  params: [],
  variadic: "any",
  fn: () => {
    throw new GoExecError(why);
  },
  unsupported: why,
});

const NEEDS_KEYS = "needs key material or password hashing, which rollouts-notifier does not provide";

export const SPRIG_FUNCTIONS: Readonly<Record<string, GoFuncSpec>> = {
  hello: spec([], () => "Hello!"),

  // dates
  ago: spec(["any"], ([d], env) => {
    const t = timeOf(d, env);
    return durationString(roundDurationTo(env.now().nanos - t.nanos, 1_000_000_000n));
  }),
  date: spec(["string", "any"], ([f, d], env) => dateInZone(f as string, d, "Local", env)),
  date_in_zone: spec(["string", "any", "string"], ([f, d, z], env) =>
    dateInZone(f as string, d, z as string, env),
  ),
  dateInZone: spec(["string", "any", "string"], ([f, d, z], env) =>
    dateInZone(f as string, d, z as string, env),
  ),
  date_modify: spec(["string", "time"], ([f, d]) => dateModify(f as string, d as GoTime)),
  dateModify: spec(["string", "time"], ([f, d]) => dateModify(f as string, d as GoTime)),
  must_date_modify: spec(["string", "time"], ([f, d]) => mustDateModify(f as string, d as GoTime)),
  mustDateModify: spec(["string", "time"], ([f, d]) => mustDateModify(f as string, d as GoTime)),
  duration: spec(["any"], ([v]) => {
    let n = 0n;
    if (typeof v === "string") n = /^[+-]?\d+$/.test(v) ? BigInt(v) : 0n;
    else if (v instanceof GoInt64) n = v.v;
    return durationString(BigInt.asIntN(64, n * 1_000_000_000n));
  }),
  durationRound: spec(["any"], ([v], env) => {
    let d = 0n;
    if (typeof v === "string") d = parseDuration(v) ?? 0n;
    else if (v instanceof GoInt64) d = v.v;
    else if (v instanceof GoTime) d = env.now().nanos - v.nanos;
    let u = d < 0n ? -d : d;
    u = BigInt.asUintN(64, u);
    const hour = 3_600_000_000_000n;
    const units: [bigint, string][] = [
      [hour * 24n * 365n, "y"],
      [hour * 24n * 30n, "mo"],
      [hour * 24n, "d"],
      [hour, "h"],
      [60_000_000_000n, "m"],
      [1_000_000_000n, "s"],
    ];
    for (const [size, suffix] of units) if (u > size) return `${u / size}${suffix}`;
    return "0s";
  }),
  htmlDate: spec(["any"], ([d], env) => dateInZone("2006-01-02", d, "Local", env)),
  htmlDateInZone: spec(["any", "string"], ([d, z], env) => dateInZone("2006-01-02", d, z as string, env)),
  mustToDate: spec(["string", "string"], ([f, s]) => {
    const t = parseTime(f as string, s as string);
    if (!t)
      throw new GoExecError(`parsing time ${goQuote(s as string)} as ${goQuote(f as string)}: cannot parse`);
    return t;
  }),
  now: spec([], (_a, env) => env.now()),
  toDate: spec(["string", "string"], ([f, s]) => parseTime(f as string, s as string) ?? ZERO_TIME),
  unixEpoch: spec(["time"], ([d]) => (d as GoTime).unix().toString()),

  // strings
  abbrev: spec(["int", "string"], ([w, s]) => {
    const width = Number(w);
    return width < 4 ? (s as string) : abbreviate(s as string, 0, width);
  }),
  abbrevboth: spec(["int", "int", "string"], ([l, r, s]) => {
    const left = Number(l);
    const right = Number(r);
    if (right < 4 || (left > 0 && right < 7)) return s as string;
    return abbreviate(s as string, left, right);
  }),
  trunc: spec(["int", "string"], ([c, s]) => {
    const n = Number(c);
    const b = bytesOf(s as string);
    if (n < 0 && b.length + n > 0) return str(b.subarray(b.length + n));
    if (n >= 0 && b.length > n) return str(b.subarray(0, n));
    return s as string;
  }),
  trim: s1(goTrimSpace),
  upper: s1((s) => s.toUpperCase()),
  lower: s1((s) => s.toLowerCase()),
  title: s1(goTitle),
  untitle: s1((s) => (s ? s[0]!.toLowerCase() + s.slice(1) : s)),
  substr: spec(["int", "int", "string"], ([a, b, s]) => {
    const start = Number(a);
    const end = Number(b);
    const buf = bytesOf(s as string);
    const check = (lo: number, hi: number) => {
      if (lo < 0 || hi > buf.length || lo > hi)
        throw new GoExecError(`runtime error: slice bounds out of range [${lo}:${hi}]`);
      return str(buf.subarray(lo, hi));
    };
    if (start < 0) return check(0, end);
    if (end < 0 || end > buf.length) return check(start, buf.length);
    return check(start, end);
  }),
  repeat: spec(["int", "string"], ([c, s]) => {
    const n = Number(c);
    if (n < 0) throw new GoExecError("strings: negative Repeat count");
    if ((s as string).length * n > 1_000_000)
      throw new GoExecError("repeat: result longer than 1000000 characters");
    return (s as string).repeat(n);
  }),
  trimall: s2((a, b) => trimSet(b, a)),
  trimAll: s2((a, b) => trimSet(b, a)),
  trimSuffix: s2((a, b) => (a && b.endsWith(a) ? b.slice(0, b.length - a.length) : b)),
  trimPrefix: s2((a, b) => (b.startsWith(a) ? b.slice(a.length) : b)),
  nospace: s1((s) =>
    Array.from(s)
      .filter((c) => !isGoSpace(c))
      .join(""),
  ),
  initials: s1((s) =>
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => Array.from(w)[0])
      .join(""),
  ),
  randAlphaNum: spec(["int"], ([n]) =>
    randomString(Number(n), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
  ),
  randAlpha: spec(["int"], ([n]) =>
    randomString(Number(n), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
  ),
  randAscii: spec(["int"], ([n]) =>
    randomString(Number(n), Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join("")),
  ),
  randNumeric: spec(["int"], ([n]) => randomString(Number(n), "0123456789")),
  swapcase: s1((s) =>
    Array.from(s)
      .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
      .join(""),
  ),
  shuffle: s1((s) => {
    const a = Array.from(s);
    for (let i = a.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.join("");
  }),
  snakecase: s1(toSnakeCase),
  camelcase: s1(toPascalCase),
  kebabcase: s1(toKebabCase),
  wrap: spec(["int", "string"], ([l, s]) => goWrap(s as string, Number(l))),
  wrapWith: spec(["int", "string", "string"], ([l, sep, s]) =>
    goWrap(s as string, Number(l), sep as string, true),
  ),
  contains: s2((sub, s) => s.includes(sub)),
  hasPrefix: s2((p, s) => s.startsWith(p)),
  hasSuffix: s2((p, s) => s.endsWith(p)),
  quote: spec(
    [],
    (args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => goQuote(strval(a)))
        .join(" "),
    "any",
  ),
  squote: spec(
    [],
    (args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => `'${sprintValue(a)}'`)
        .join(" "),
    "any",
  ),
  cat: spec(
    [],
    (args) => {
      const v = args.filter((a) => a !== null && a !== undefined);
      return sprintf(Array(v.length).fill("%v").join(" "), v);
    },
    "any",
  ),
  indent: spec(["int", "string"], ([n, s]) => {
    const pad = spaces(n as bigint);
    return pad + (s as string).replaceAll("\n", `\n${pad}`);
  }),
  nindent: spec(["int", "string"], ([n, s]) => {
    const pad = spaces(n as bigint);
    return `\n${pad}${(s as string).replaceAll("\n", `\n${pad}`)}`;
  }),
  replace: spec(["string", "string", "string"], ([o, n, s]) =>
    goReplace(s as string, o as string, n as string),
  ),
  plural: spec(["string", "string", "int"], ([one, many, c]) =>
    c === 1n ? (one as string) : (many as string),
  ),
  sha1sum: hash("sha1"),
  sha256sum: hash("sha256"),
  sha512sum: hash("sha512"),
  adler32sum: s1((s) => String(adler32(s))),
  toString: spec(["any"], ([v]) => strval(v)),

  atoi: s1((s) => {
    const n = /^[+-]?\d+$/.test(s) ? BigInt(s) : 0n;
    return n > 9223372036854775807n || n < -9223372036854775808n ? 0n : n;
  }),
  int64: spec(["any"], ([v]) => goInt64(castInt(v))),
  int: spec(["any"], ([v]) => toInt(castInt(v))),
  float64: spec(["any"], ([v]) => castFloat(v)),
  seq: spec(
    [],
    (params) => {
      const p = params.map((x) => Number(x as bigint));
      let inc = 1;
      const fmtList = (l: number[]) => l.join(" ");
      switch (p.length) {
        case 0:
          return "";
        case 1: {
          const start = 1;
          const end = p[0]!;
          if (end < start) inc = -1;
          return fmtList(untilStep(start, end + inc, inc));
        }
        case 2: {
          const [start, end] = p as [number, number];
          const step = end < start ? -1 : 1;
          return fmtList(untilStep(start, end + step, step));
        }
        case 3: {
          const [start, step, end] = p as [number, number, number];
          if (end < start) {
            inc = -1;
            if (step > 0) return "";
          }
          return fmtList(untilStep(start, end + inc, step));
        }
        default:
          return "";
      }
    },
    "int",
  ),
  toDecimal: spec(["any"], ([v]) => {
    const s = sprint([v]);
    const n = /^[+-]?[0-7]+$/.test(s)
      ? BigInt(`${s.startsWith("-") ? "-" : ""}0o${s.replace(/^[+-]/, "")}`)
      : undefined;
    return goInt64(n ?? 0n);
  }),

  split: s2((sep, orig) => {
    const out: GoMap = {};
    goSplit(orig, sep, -1).forEach((p, i) => {
      out[`_${i}`] = p;
    });
    return out;
  }),
  splitList: s2((sep, orig) => typedSlice(goSplit(orig, sep, -1), "[]string")),
  splitn: spec(["string", "int", "string"], ([sep, n, orig]) => {
    const out: GoMap = {};
    goSplit(orig as string, sep as string, Number(n)).forEach((p, i) => {
      out[`_${i}`] = p;
    });
    return out;
  }),
  toStrings: spec(["any"], ([v]) => strslice(v)),

  until: spec(["int"], ([c]) => {
    const n = Number(c);
    return typedSlice(untilStep(0, n, n < 0 ? -1 : 1).map(BigInt), "[]int");
  }),
  untilStep: spec(["int", "int", "int"], ([a, b, c]) =>
    typedSlice(untilStep(Number(a), Number(b), Number(c)).map(BigInt), "[]int"),
  ),

  add1: spec(["any"], ([i]) => goInt64(castInt(i) + 1n)),
  add: spec(
    [],
    (args) => goInt64(args.reduce<bigint>((acc, b) => BigInt.asIntN(64, acc + castInt(b)), 0n)),
    "any",
  ),
  sub: spec(["any", "any"], ([a, b]) => goInt64(castInt(a) - castInt(b))),
  div: spec(["any", "any"], ([a, b]) => {
    const d = castInt(b);
    if (d === 0n) throw new GoExecError("runtime error: integer divide by zero");
    return goInt64(castInt(a) / d);
  }),
  mod: spec(["any", "any"], ([a, b]) => {
    const d = castInt(b);
    if (d === 0n) throw new GoExecError("runtime error: integer divide by zero");
    return goInt64(castInt(a) % d);
  }),
  mul: spec(
    ["any"],
    ([a, ...rest]) =>
      goInt64(rest.reduce<bigint>((acc, b) => BigInt.asIntN(64, acc * castInt(b)), castInt(a))),
    "any",
  ),
  randInt: spec(["int", "int"], ([min, max]) => {
    const lo = Number(min);
    const hi = Number(max);
    if (hi - lo <= 0) throw new GoExecError("invalid argument to Intn");
    return BigInt(randomInt(hi - lo) + lo);
  }),
  add1f: spec(["any"], ([i]) => decimalOp(i, [1n], "add")),
  addf: spec([], (args) => decimalOp(0, args, "add"), "any"),
  subf: spec(["any"], ([a, ...rest]) => decimalOp(a, rest, "sub"), "any"),
  divf: spec(["any"], ([a, ...rest]) => decimalOp(a, rest, "div"), "any"),
  mulf: spec(["any"], ([a, ...rest]) => decimalOp(a, rest, "mul"), "any"),
  biggest: spec(["any"], ([a, ...rest]) => goInt64(extremeInt(a, rest, 1)), "any"),
  max: spec(["any"], ([a, ...rest]) => goInt64(extremeInt(a, rest, 1)), "any"),
  min: spec(["any"], ([a, ...rest]) => goInt64(extremeInt(a, rest, -1)), "any"),
  maxf: spec(
    ["any"],
    ([a, ...rest]) => rest.reduce<number>((m, b) => Math.max(m, castFloat(b)), castFloat(a)),
    "any",
  ),
  minf: spec(
    ["any"],
    ([a, ...rest]) => rest.reduce<number>((m, b) => Math.min(m, castFloat(b)), castFloat(a)),
    "any",
  ),
  ceil: spec(["any"], ([a]) => Math.ceil(castFloat(a))),
  floor: spec(["any"], ([a]) => Math.floor(castFloat(a))),
  round: spec(
    ["any", "int"],
    ([a, p, ...rOpt]) => {
      const roundOn = rOpt.length > 0 ? (rOpt[0] as number) : 0.5;
      const val = castFloat(a);
      const pow = 10 ** Number(p);
      const digit = pow * val;
      const frac = digit - Math.trunc(digit);
      return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
    },
    "float64",
  ),

  join: spec(["string", "any"], ([sep, v]) => strslice(v).join(sep as string)),
  sortAlpha: spec(["any"], ([v]) => {
    if (Array.isArray(v)) return strslice(v).sort((a, b) => Buffer.compare(bytesOf(a), bytesOf(b)));
    return typedSlice([strval(v)], "[]string");
  }),

  default: spec(["any"], ([d, ...given]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), "any"),
  empty: spec(["any"], ([v]) => isEmpty(v)),
  coalesce: spec([], (args) => args.find((v) => !isEmpty(v)) ?? null, "any"),
  all: spec([], (args) => args.every((v) => !isEmpty(v)), "any"),
  any: spec([], (args) => args.some((v) => !isEmpty(v)), "any"),
  compact: spec(["any"], ([l]) => listOf(l, "compact")!.filter((v) => !isEmpty(v))),
  mustCompact: spec(["any"], ([l]) => listOf(l, "compact")!.filter((v) => !isEmpty(v))),
  fromJson: s1((s) => {
    try {
      return fromJsonValue(JSON.parse(s));
    } catch {
      return null;
    }
  }),
  mustFromJson: s1((s) => {
    try {
      return fromJsonValue(JSON.parse(s));
    } catch (err) {
      throw new GoExecError((err as Error).message);
    }
  }),
  toJson: spec(["any"], ([v]) => goJson(v, { escapeHtml: true }) ?? ""),
  mustToJson: spec(["any"], ([v]) => mustJson(v, { escapeHtml: true })),
  toPrettyJson: spec(["any"], ([v]) => goJson(v, { escapeHtml: true, indent: "  " }) ?? ""),
  mustToPrettyJson: spec(["any"], ([v]) => mustJson(v, { escapeHtml: true, indent: "  " })),
  toRawJson: spec(["any"], ([v]) => mustJson(v, { escapeHtml: false })),
  mustToRawJson: spec(["any"], ([v]) => mustJson(v, { escapeHtml: false })),
  ternary: spec(["any", "any", "bool"], ([t, f, c]) => (c ? t : f)),
  deepCopy: spec(["any"], ([v]) => deepCopy(v)),
  mustDeepCopy: spec(["any"], ([v]) => deepCopy(v)),

  typeOf: spec(["any"], ([v]) => goTypeOf(v ?? null)),
  typeIs: spec(["string", "any"], ([t, v]) => t === goTypeOf(v ?? null)),
  typeIsLike: spec(
    ["string", "any"],
    ([t, v]) => t === goTypeOf(v ?? null) || t === `*${goTypeOf(v ?? null)}`,
  ),
  kindOf: spec(["any"], ([v]) => kindOf(v)),
  kindIs: spec(["string", "any"], ([t, v]) => t === kindOf(v)),
  deepEqual: spec(["any", "any"], ([a, b]) => deepEqual(a, b)),

  getHostByName: unsupported("getHostByName needs DNS, which templates here cannot use"),

  base: s1((p) => (p === "" ? "." : posix.basename(p.replace(/\/+$/, "")) || "/")),
  dir: s1((p) =>
    goClean(posix.dirname(p) === "." && !p.includes("/") ? "." : p.slice(0, p.lastIndexOf("/") + 1)),
  ),
  clean: s1(goClean),
  ext: s1((p) => {
    const m = /\.[^./]*$/.exec(p);
    return m ? m[0] : "";
  }),
  isAbs: s1((p) => p.startsWith("/")),
  osBase: s1((p) => (p === "" ? "." : posix.basename(p.replace(/\/+$/, "")) || "/")),
  osClean: s1(goClean),
  osDir: s1((p) =>
    goClean(posix.dirname(p) === "." && !p.includes("/") ? "." : p.slice(0, p.lastIndexOf("/") + 1)),
  ),
  osExt: s1((p) => {
    const m = /\.[^./]*$/.exec(p);
    return m ? m[0] : "";
  }),
  osIsAbs: s1((p) => p.startsWith("/")),

  b64enc: s1((s) => bytesOf(s).toString("base64")),
  b64dec: s1(base64Decode),
  b32enc: s1(base32Encode),
  b32dec: s1(base32Decode),

  tuple: spec([], (args) => args.map((a) => (a === undefined ? null : a)), "any"),
  list: spec([], (args) => args.map((a) => (a === undefined ? null : a)), "any"),
  dict: spec(
    [],
    (args) => {
      const out: GoMap = {};
      for (let i = 0; i < args.length; i += 2)
        out[strval(args[i] ?? null)] = i + 1 < args.length ? (args[i + 1] ?? null) : "";
      return out;
    },
    "any",
  ),
  get: spec(["map", "string"], ([d, k]) => dictGet(d, k as string)),
  set: spec(["map", "string", "any"], ([d, k, v]) => {
    requireMap(d, "set")[k as string] = v ?? null;
    return d;
  }),
  unset: spec(["map", "string"], ([d, k]) => {
    if (isMap(d)) delete d[k as string];
    return d;
  }),
  hasKey: spec(["map", "string"], ([d, k]) => isMap(d) && Object.hasOwn(d, k as string)),
  pluck: spec(
    ["string"],
    ([name, ...ds]) =>
      ds.filter((d) => isMap(d) && Object.hasOwn(d, name as string)).map((d) => (d as GoMap)[name as string]),
    "map",
  ),
  keys: spec(
    [],
    (ds) =>
      typedSlice(
        ds.flatMap((d) => (isMap(d) ? Object.keys(d) : [])),
        "[]string",
      ),
    "map",
  ),
  pick: spec(
    ["map"],
    ([d, ...ks]) => {
      const out: GoMap = {};
      if (isMap(d)) for (const k of ks as string[]) if (Object.hasOwn(d, k)) out[k] = d[k];
      return out;
    },
    "string",
  ),
  omit: spec(
    ["map"],
    ([d, ...ks]) => {
      const out: GoMap = {};
      if (isMap(d)) for (const k of Object.keys(d)) if (!(ks as string[]).includes(k)) out[k] = d[k];
      return out;
    },
    "string",
  ),
  merge: mergeSpec("merge", false),
  mergeOverwrite: mergeSpec("mergeOverwrite", true),
  mustMerge: mergeSpec("merge", false),
  mustMergeOverwrite: mergeSpec("mergeOverwrite", true),
  values: spec(["map"], ([d]) => (isMap(d) ? Object.values(d) : [])),

  append: spec(["any", "any"], ([l, v]) => [...listOf(l, "push")!, v ?? null]),
  push: spec(["any", "any"], ([l, v]) => [...listOf(l, "push")!, v ?? null]),
  mustAppend: spec(["any", "any"], ([l, v]) => [...listOf(l, "push")!, v ?? null]),
  mustPush: spec(["any", "any"], ([l, v]) => [...listOf(l, "push")!, v ?? null]),
  prepend: spec(["any", "any"], ([l, v]) => [v ?? null, ...listOf(l, "prepend")!]),
  mustPrepend: spec(["any", "any"], ([l, v]) => [v ?? null, ...listOf(l, "prepend")!]),
  first: spec(["any"], ([l]) => listOf(l, "find first")![0] ?? null),
  mustFirst: spec(["any"], ([l]) => listOf(l, "find first")![0] ?? null),
  rest: spec(["any"], ([l]) => (listOf(l, "find rest")!.length ? listOf(l, "find rest")!.slice(1) : null)),
  mustRest: spec(["any"], ([l]) =>
    listOf(l, "find rest")!.length ? listOf(l, "find rest")!.slice(1) : null,
  ),
  last: spec(["any"], ([l]) => {
    const a = listOf(l, "find last")!;
    return a.length ? a[a.length - 1]! : null;
  }),
  mustLast: spec(["any"], ([l]) => {
    const a = listOf(l, "find last")!;
    return a.length ? a[a.length - 1]! : null;
  }),
  initial: spec(["any"], ([l]) =>
    listOf(l, "find initial")!.length ? listOf(l, "find initial")!.slice(0, -1) : null,
  ),
  mustInitial: spec(["any"], ([l]) =>
    listOf(l, "find initial")!.length ? listOf(l, "find initial")!.slice(0, -1) : null,
  ),
  reverse: spec(["any"], ([l]) => [...listOf(l, "find reverse")!].reverse()),
  mustReverse: spec(["any"], ([l]) => [...listOf(l, "find reverse")!].reverse()),
  uniq: spec(["any"], ([l]) => uniq(listOf(l, "find uniq")!)),
  mustUniq: spec(["any"], ([l]) => uniq(listOf(l, "find uniq")!)),
  without: spec(
    ["any"],
    ([l, ...omit]) => listOf(l, "find without")!.filter((v) => !omit.some((o) => deepEqual(o, v))),
    "any",
  ),
  mustWithout: spec(
    ["any"],
    ([l, ...omit]) => listOf(l, "find without")!.filter((v) => !omit.some((o) => deepEqual(o, v))),
    "any",
  ),
  has: spec(["any", "any"], ([needle, hay]) =>
    hay === null || hay === undefined ? false : listOf(hay, "find has")!.some((v) => deepEqual(v, needle)),
  ),
  mustHas: spec(["any", "any"], ([needle, hay]) =>
    hay === null || hay === undefined ? false : listOf(hay, "find has")!.some((v) => deepEqual(v, needle)),
  ),
  slice: spec(["any"], ([l, ...idx]) => sliceList(l, idx), "any"),
  mustSlice: spec(["any"], ([l, ...idx]) => sliceList(l, idx), "any"),
  concat: spec([], (lists) => lists.flatMap((l) => listOf(l, "concat")!), "any"),
  dig: spec([], (args) => dig(args), "any"),
  chunk: spec(["int", "any"], ([size, l]) => chunk(Number(size), listOf(l, "chunk")!)),
  mustChunk: spec(["int", "any"], ([size, l]) => chunk(Number(size), listOf(l, "chunk")!)),

  bcrypt: unsupported(`bcrypt ${NEEDS_KEYS}`),
  htpasswd: unsupported(`htpasswd ${NEEDS_KEYS}`),
  genPrivateKey: unsupported(`genPrivateKey ${NEEDS_KEYS}`),
  derivePassword: unsupported(`derivePassword ${NEEDS_KEYS}`),
  buildCustomCert: unsupported(`buildCustomCert ${NEEDS_KEYS}`),
  genCA: unsupported(`genCA ${NEEDS_KEYS}`),
  genCAWithKey: unsupported(`genCAWithKey ${NEEDS_KEYS}`),
  genSelfSignedCert: unsupported(`genSelfSignedCert ${NEEDS_KEYS}`),
  genSelfSignedCertWithKey: unsupported(`genSelfSignedCertWithKey ${NEEDS_KEYS}`),
  genSignedCert: unsupported(`genSignedCert ${NEEDS_KEYS}`),
  genSignedCertWithKey: unsupported(`genSignedCertWithKey ${NEEDS_KEYS}`),
  encryptAES: unsupported(`encryptAES ${NEEDS_KEYS}`),
  decryptAES: unsupported(`decryptAES ${NEEDS_KEYS}`),
  randBytes: spec(["int"], ([n]) =>
    randomBytes(Math.max(0, Math.min(Number(n), 1_000_000))).toString("base64"),
  ),

  uuidv4: spec([], () => randomUUID()),

  semver: s1((v) => semverOf(v)),
  semverCompare: s2((c, v) => semverCompare(c, v)),

  fail: s1((msg) => {
    throw new GoExecError(msg);
  }),

  regexMatch: s2((re, s) => {
    try {
      return GoRegexp.compile(re).matchString(s);
    } catch {
      return false;
    }
  }),
  mustRegexMatch: s2((re, s) => goRegex(re).matchString(s)),
  regexFindAll: spec(["string", "string", "int"], ([re, s, n]) =>
    bounded(() => typedSlice(goRegex(re as string).findAllString(s as string, Number(n)), "[]string")),
  ),
  mustRegexFindAll: spec(["string", "string", "int"], ([re, s, n]) =>
    bounded(() => typedSlice(goRegex(re as string).findAllString(s as string, Number(n)), "[]string")),
  ),
  regexFind: s2((re, s) => goRegex(re).findString(s)),
  mustRegexFind: s2((re, s) => goRegex(re).findString(s)),
  regexReplaceAll: spec(["string", "string", "string"], ([re, s, r]) =>
    bounded(() => goRegex(re as string).replaceAllString(s as string, r as string)),
  ),
  mustRegexReplaceAll: spec(["string", "string", "string"], ([re, s, r]) =>
    bounded(() => goRegex(re as string).replaceAllString(s as string, r as string)),
  ),
  regexReplaceAllLiteral: spec(["string", "string", "string"], ([re, s, r]) =>
    bounded(() => goRegex(re as string).replaceAllLiteralString(s as string, r as string)),
  ),
  mustRegexReplaceAllLiteral: spec(["string", "string", "string"], ([re, s, r]) =>
    bounded(() => goRegex(re as string).replaceAllLiteralString(s as string, r as string)),
  ),
  regexSplit: spec(["string", "string", "int"], ([re, s, n]) =>
    bounded(() => typedSlice(goRegex(re as string).split(s as string, Number(n)), "[]string")),
  ),
  mustRegexSplit: spec(["string", "string", "int"], ([re, s, n]) =>
    bounded(() => typedSlice(goRegex(re as string).split(s as string, Number(n)), "[]string")),
  ),
  regexQuoteMeta: s1(quoteMeta),

  urlParse: s1(urlParse),
  urlJoin: spec(["map"], ([d]) => urlJoin(isMap(d) ? d : {})),
};

/** sprig's max (sign 1) / min (sign -1) over cast.ToInt64 values. */
function extremeInt(first: GoValue, rest: GoValue[], sign: 1 | -1): bigint {
  let best = castInt(first);
  for (const v of rest) {
    const n = castInt(v);
    if (sign === 1 ? n > best : n < best) best = n;
  }
  return best;
}

function roundDurationTo(d: bigint, m: bigint): bigint {
  let r = d % m;
  if (d < 0n) {
    r = -r;
    return r + r < m ? d + r : d - m + r;
  }
  return r + r < m ? d - r : d + m - r;
}

function dateModify(f: string, d: GoTime): GoTime {
  const dur = parseDuration(f);
  return dur === undefined ? d : GoTime.fromNanos(d.nanos + dur, d.zone);
}
function mustDateModify(f: string, d: GoTime): GoTime {
  const dur = parseDuration(f);
  if (dur === undefined) throw new GoExecError(`time: invalid duration ${goQuote(f)}`);
  return GoTime.fromNanos(d.nanos + dur, d.zone);
}

/** Values built by a function are capped (a template's whole output is capped by the interpreter). */
const MAX_BUILT = 1_000_000;

function spaces(n: bigint): string {
  if (n < 0n) throw new GoExecError("strings: negative Repeat count");
  if (n > BigInt(MAX_BUILT)) throw new GoExecError(`indent of ${n} spaces is more than ${MAX_BUILT}`);
  return " ".repeat(Number(n));
}

function randomString(n: number, alphabet: string): string {
  if (n < 0) throw new GoExecError(`Requested random length ${n} is less than 0.`);
  if (n > MAX_BUILT) throw new GoExecError(`random string of ${n} characters is more than ${MAX_BUILT}`);
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** strings.Replace(s, old, new, -1), including Go's rule for an empty `old` (insert around every rune). */
function goReplace(s: string, o: string, n: string): string {
  if (o === "") return Array.from(s).reduce((acc, ch) => acc + ch + n, n);
  return s.split(o).join(n);
}

/** strings.Split / SplitN. */
function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const chars = Array.from(s);
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function untilStep(start: number, stop: number, step: number): number[] {
  const v: number[] = [];
  const LIMIT = 1_000_000;
  if (stop < start) {
    if (step >= 0) return v;
    for (let i = start; i > stop; i += step) {
      v.push(i);
      if (v.length > LIMIT) throw new GoExecError(`untilStep: more than ${LIMIT} elements`);
    }
    return v;
  }
  if (step <= 0) return v;
  for (let i = start; i < stop; i += step) {
    v.push(i);
    if (v.length > LIMIT) throw new GoExecError(`untilStep: more than ${LIMIT} elements`);
  }
  return v;
}

function uniq(l: GoValue[]): GoValue[] {
  const out: GoValue[] = [];
  for (const v of l) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

function sliceList(l: GoValue, idx: GoValue[]): GoValue {
  if (!Array.isArray(l))
    throw new GoExecError(`list should be type of slice or array but ${goTypeOf(l ?? null)}`);
  const len = l.length;
  if (len === 0) return null;
  let start = 0;
  let end = len;
  if (idx.length > 0) start = Number(castInt(idx[0]!));
  if (idx.length > 1) end = Number(castInt(idx[1]!));
  if (start < 0 || end > len || start > end)
    throw new GoExecError(`runtime error: slice bounds out of range [${start}:${end}]`);
  return l.slice(start, end);
}

function chunk(size: number, l: GoValue[]): GoValue[] {
  if (size <= 0) throw new GoExecError("runtime error: integer divide by zero");
  const out: GoValue[] = [];
  for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  return typedSlice(out, "[][]interface {}");
}

function kindOf(v: GoValue): string {
  if (v === undefined || v === null) return "invalid";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float64";
  if (v instanceof GoInt64) return v instanceof GoDuration ? "int64" : "int64";
  if (v instanceof GoDuration) return "int64";
  if (v instanceof GoTime) return "struct";
  if (v instanceof GoObject) return "ptr";
  if (v instanceof GoFunc) return "func";
  if (Array.isArray(v)) return "slice";
  return "map";
}

function fromJsonValue(v: unknown): GoValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(fromJsonValue);
  if (typeof v === "object") {
    const out: GoMap = {};
    for (const [k, e] of Object.entries(v as object)) out[k] = fromJsonValue(e);
    return out;
  }
  return v as GoValue;
}

function mustJson(v: GoValue, opts: { escapeHtml: boolean; indent?: string }): string {
  const out = goJson(v, opts);
  if (out === undefined) throw new GoExecError(`json: unsupported value`);
  return out;
}
