// Go's fmt package for the values a template handles (go-values.ts): Sprint, Sprintln, Sprintf with flags
// (+ - # space 0), width, precision (also *), and the verbs v T t d b o O x X c q U s e E f F g G, including
// fmt's error forms (%!d(string=x), %!d(MISSING), %!(EXTRA int=1), %!(NOVERB), %!(BADWIDTH), %!(BADPREC)).
// Floats are formatted from their exact binary value with round-half-even, as strconv does.
import { GoFunc, GoObject, type GoValue, goTypeOf, intOf, isInt, isMap, sortedKeys } from "./go-values.ts";

// ---- floats ----

interface Digits {
  /** Decimal digits without leading zeros ("" for zero). */
  d: string;
  /** Position of the decimal point relative to d (value = 0.d × 10^dp). */
  dp: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  F64[0] = x;
  const bits = U64[0]!;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let d: string;
  let dp: number;
  if (e >= 0) {
    d = (mant << BigInt(e)).toString();
    dp = d.length;
  } else {
    d = (mant * 5n ** BigInt(-e)).toString();
    dp = d.length + e;
  }
  return trimDigits({ d, dp });
}

function trimDigits(x: Digits): Digits {
  let d = x.d.replace(/0+$/, "");
  let dp = x.dp;
  const lead = /^0*/.exec(d)![0].length;
  d = d.slice(lead);
  dp -= lead;
  if (d === "") dp = 0;
  return { d, dp };
}

/** Shortest digits that read back as x (what strconv's precision -1 uses). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const [mant, exp] = x.toExponential().split("e") as [string, string];
  const d = mant.replace(".", "");
  return trimDigits({ d, dp: Number(exp) + 1 });
}

/** Rounds to nd significant digits (nd may be ≤ 0), half to even on the exact value. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: 0 };
  if (x.d.length <= nd) return x;
  const kept = x.d.slice(0, nd);
  const rest = x.d.slice(nd);
  let up: boolean;
  if (rest[0]! > "5") up = true;
  else if (rest[0]! < "5") up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = nd > 0 && Number(kept[nd - 1]) % 2 === 1; // exactly half: to even
  if (!up) return trimDigits({ d: kept, dp: x.dp });
  if (kept === "") return { d: "1", dp: x.dp + 1 };
  const n = (BigInt(kept) + 1n).toString();
  if (n.length > kept.length) return trimDigits({ d: n, dp: x.dp + 1 });
  return trimDigits({ d: n.padStart(kept.length, "0"), dp: x.dp });
}

const digitAt = (x: Digits, i: number) => (i >= 0 && i < x.d.length ? x.d[i]! : "0");

function fmtF(x: Digits, prec: number): string {
  let intPart = "";
  if (x.dp <= 0) intPart = "0";
  else for (let i = 0; i < x.dp; i++) intPart += digitAt(x, i);
  if (prec <= 0) return intPart;
  let frac = "";
  for (let i = 0; i < prec; i++) frac += digitAt(x, x.dp + i);
  return `${intPart}.${frac}`;
}

function fmtE(x: Digits, prec: number, e: string): string {
  const first = x.d === "" ? "0" : x.d[0]!;
  let out = first;
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(x, i);
  }
  const exp = x.d === "" ? 0 : x.dp - 1;
  const sign = exp < 0 ? "-" : "+";
  const ae = Math.abs(exp);
  return `${out}${e}${sign}${ae < 10 ? `0${ae}` : ae}`;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G (prec -1: shortest). */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "+Inf";
  if (x === Number.NEGATIVE_INFINITY) return "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(a);
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case "f":
      case "F":
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  } else {
    const exact = exactDigits(a);
    switch (fmt) {
      case "e":
      case "E":
        digs = roundDigits(exact, prec + 1);
        break;
      case "f":
      case "F":
        digs = roundDigits(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDigits(exact, prec);
    }
  }
  let body: string;
  switch (fmt) {
    case "e":
    case "E":
      body = fmtE(digs, prec, fmt);
      break;
    case "f":
    case "F":
      body = fmtF(digs, prec);
      break;
    default: {
      let eprec = prec;
      const nd = digs.d.length;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (nd > 0 && (exp < -4 || exp >= eprec)) {
        let p = prec;
        if (p > nd) p = nd;
        body = fmtE(digs, p - 1, fmt === "G" ? "E" : "e");
      } else {
        let p = prec;
        if (p > digs.dp) p = nd;
        body = fmtF(digs, Math.max(p - digs.dp, 0));
      }
    }
  }
  return (neg ? "-" : "") + body;
}

// ---- strings ----

const isPrintable = (cp: number) => {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  const ch = String.fromCodePoint(cp);
  return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(ch) && (cp === 0x20 || !/\p{Zs}/u.test(ch));
};

function quoteRune(cp: number, quote: string, asciiOnly: boolean): string {
  if (cp === quote.codePointAt(0) || cp === 0x5c) return `\\${String.fromCodePoint(cp)}`;
  if (asciiOnly ? cp < 0x80 && isPrintable(cp) : isPrintable(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 11:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp >= 0xd800 && cp < 0xe000) return "\\ufffd";
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** strconv.Quote (asciiOnly: QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += quoteRune(ch.codePointAt(0)!, '"', asciiOnly);
  return `${out}"`;
}

const runeCount = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

// ---- the printer ----

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };

function pad(s: string, f: Flags, numeric = false): string {
  if (f.width === undefined) return s;
  const n = f.width - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + " ".repeat(n);
  if (f.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : "";
    return sign + "0".repeat(n) + s.slice(sign.length);
  }
  return (f.zero ? "0" : " ").repeat(n) + s;
}

function badVerb(verb: string, v: GoValue): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeOf(v)}=${printValue(v, "v", NO_FLAGS)})`;
}

function fmtInteger(n: bigint, verb: string, f: Flags, v: GoValue): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "v":
    case "d":
      digits = a.toString(10);
      break;
    case "b":
      digits = a.toString(2);
      if (f.sharp) prefix = "0b";
      break;
    case "o":
      digits = a.toString(8);
      if (f.sharp && digits !== "0") prefix = "0";
      break;
    case "O":
      digits = a.toString(8);
      prefix = "0o";
      break;
    case "x":
      digits = a.toString(16);
      if (f.sharp) prefix = "0x";
      break;
    case "X":
      digits = a.toString(16).toUpperCase();
      if (f.sharp) prefix = "0X";
      break;
    case "c":
      return pad(String.fromCodePoint(Number(a) > 0x10ffff ? 0xfffd : Number(n)), f);
    case "q":
      return pad(`'${quoteRune(Number(n), "'", f.plus)}'`, f);
    case "U": {
      let s = `U+${a.toString(16).toUpperCase().padStart(4, "0")}`;
      if (f.sharp && isPrintable(Number(a))) s += ` '${String.fromCodePoint(Number(a))}'`;
      return pad(s, f);
    }
    default:
      return badVerb(verb, v);
  }
  if (f.prec !== undefined) {
    if (f.prec === 0 && n === 0n) digits = "";
    digits = digits.padStart(f.prec, "0");
  }
  const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  const body = sign + prefix + digits;
  if (f.width !== undefined && f.zero && !f.minus && f.prec === undefined) {
    const n2 = f.width - body.length;
    if (n2 > 0) return sign + prefix + "0".repeat(n2) + digits;
  }
  return pad(body, { ...f, zero: false });
}

function fmtFloatVerb(x: number, verb: string, f: Flags, v: GoValue): string {
  let fmt: string;
  let prec: number;
  switch (verb) {
    case "v":
      fmt = "g";
      prec = -1;
      break;
    case "g":
    case "G":
      fmt = verb;
      prec = -1;
      break;
    case "e":
    case "E":
    case "f":
    case "F":
      fmt = verb;
      prec = 6;
      break;
    default:
      return badVerb(verb, v);
  }
  if (f.prec !== undefined) prec = f.prec;
  let s = formatFloat(x, fmt === "F" ? "f" : fmt, prec);
  if (f.sharp && !s.includes(".") && Number.isFinite(x)) {
    const m = /^(-?[0-9]+)(e.*)?$/i.exec(s);
    if (m) s = `${m[1]}.${m[2] ?? ""}`;
  }
  if (!s.startsWith("-") && !s.startsWith("+")) {
    if (f.plus) s = `+${s}`;
    else if (f.space) s = ` ${s}`;
  } else if (s.startsWith("+") && !f.plus) {
    // +Inf prints as +Inf only with the plus flag
    s = f.space ? ` ${s.slice(1)}` : s.slice(1);
  }
  if (!Number.isFinite(x)) return pad(s, { ...f, zero: false });
  return pad(s, f, true);
}

function fmtString(s: string, verb: string, f: Flags, v: GoValue): string {
  if (f.prec !== undefined && verb !== "x" && verb !== "X") s = Array.from(s).slice(0, f.prec).join("");
  switch (verb) {
    case "v":
    case "s":
      return pad(s, f);
    case "q":
      if (f.sharp && !/[`\p{Cc}]/u.test(s.replace(/\t/g, "")) && !s.includes("\uFFFD"))
        return pad(`\`${s}\``, f);
      return pad(goQuote(s, f.plus), f);
    case "x":
    case "X": {
      let bytes = Buffer.from(s);
      if (f.prec !== undefined) bytes = bytes.subarray(0, f.prec);
      const parts = [...bytes].map((b) => {
        const h = b.toString(16).padStart(2, "0");
        const hx = verb === "X" ? h.toUpperCase() : h;
        return f.sharp ? (verb === "X" ? `0X${hx}` : `0x${hx}`) : hx;
      });
      return pad(parts.join(f.space ? " " : ""), f);
    }
    default:
      return badVerb(verb, v);
  }
}

/** Formats one operand for one verb (fmt's printArg). */
function printValue(v: GoValue, verb: string, f: Flags, depth = 0): string {
  if (verb === "T") return pad(goTypeOf(v), f);
  if (v === undefined || v === null) {
    return verb === "v" ? pad("<nil>", f) : badVerb(verb, v);
  }
  if (depth > 100) return "…";
  if (v instanceof GoObject) {
    const s = v.goString();
    if (s !== undefined && "vsxXq".includes(verb)) return fmtString(s, verb, f, v);
    return badVerb(verb, v);
  }
  if (v instanceof GoFunc) return verb === "v" ? pad("0x1", f) : badVerb(verb, v);
  switch (typeof v) {
    case "boolean":
      return verb === "v" || verb === "t" ? pad(String(v), f) : badVerb(verb, v);
    case "string":
      return fmtString(v, verb, f, v);
    case "number":
      return fmtFloatVerb(v, verb, f, v);
  }
  if (isInt(v)) return fmtInteger(intOf(v), verb, f, v);
  if (f.sharp && verb === "v") return goSyntax(v);
  if (Array.isArray(v)) {
    return `[${v.map((e) => printValue(e, verb, f, depth + 1)).join(" ")}]`;
  }
  if (isMap(v)) {
    const parts = sortedKeys(v).map(
      (k) => `${printValue(k, verb, f, depth + 1)}:${printValue(v[k], verb, f, depth + 1)}`,
    );
    return `map[${parts.join(" ")}]`;
  }
  return badVerb(verb, v);
}

/** %#v for the composite values templates build. */
function goSyntax(v: GoValue): string {
  if (v === undefined || v === null) return "interface {}(nil)";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number") {
    const s = formatFloat(v, "g", -1);
    return /[.e]|Inf|NaN/.test(s) ? s : s;
  }
  if (typeof v === "boolean") return String(v);
  if (isInt(v)) return intOf(v).toString();
  if (v instanceof GoObject) return v.goString() ?? v.goType;
  if (v instanceof GoFunc) return "(func)(0x1)";
  if (Array.isArray(v)) return `${goTypeOf(v)}{${v.map(goSyntax).join(", ")}}`;
  return `map[string]interface {}{${sortedKeys(v)
    .map((k) => `${goQuote(k)}:${goSyntax(v[k])}`)
    .join(", ")}}`;
}

/** fmt.Sprint: operands concatenated, with a space between two operands when neither is a string. */
export function sprint(args: GoValue[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += printValue(a === undefined ? null : a, "v", NO_FLAGS);
  }
  return out;
}

/** fmt.Sprintln: operands separated by spaces, newline appended. */
export function sprintln(args: GoValue[]): string {
  return `${args.map((a) => printValue(a === undefined ? null : a, "v", NO_FLAGS)).join(" ")}\n`;
}

/** fmt.Sprint of one value (what {{.x}} prints, after text/template turns a missing value into "<no value>"). */
export function sprintValue(v: GoValue): string {
  return printValue(v === undefined ? null : v, "v", NO_FLAGS);
}

/** fmt's parsenum: digits at `start`; a number growing past 1e6 swallows the rest of the format. */
function parsenum(s: string, start: number): { num?: number; next: number } {
  let num = 0;
  let i = start;
  while (i < s.length && s[i]! >= "0" && s[i]! <= "9") {
    if (num > 1e6) return { next: s.length };
    num = num * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  return i > start ? { num, next: i } : { next: i };
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = "";
  let argNum = 0;
  let i = 0;
  let reordered = false;
  const n = format.length;
  const intArg = (): number | undefined => {
    if (argNum >= args.length) return undefined;
    const a = args[argNum++];
    if (isInt(a)) {
      const x = Number(intOf(a!));
      return Math.abs(x) > 1e6 ? undefined : x;
    }
    return undefined;
  };
  while (i < n) {
    const start = i;
    while (i < n && format[i] !== "%") i++;
    out += format.slice(start, i);
    if (i >= n) break;
    i++; // skip %
    const f: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };
    flags: while (i < n) {
      switch (format[i]) {
        case "#":
          f.sharp = true;
          break;
        case "0":
          f.zero = true;
          break;
        case "+":
          f.plus = true;
          break;
        case "-":
          f.minus = true;
          break;
        case " ":
          f.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    // argument index [n]
    const argIndex = () => {
      if (format[i] !== "[") return;
      const close = format.indexOf("]", i);
      const idx = close > 0 ? Number(format.slice(i + 1, close)) : Number.NaN;
      reordered = true;
      if (Number.isInteger(idx) && idx >= 1) {
        argNum = idx - 1;
        i = close + 1;
      } else {
        out += "%!(BADINDEX)";
        i = close > 0 ? close + 1 : n;
      }
    };
    argIndex();
    // width
    if (format[i] === "*") {
      i++;
      const w = intArg();
      if (w === undefined) out += "%!(BADWIDTH)";
      else {
        f.width = Math.abs(w);
        if (w < 0) f.minus = true;
      }
    } else {
      const w = parsenum(format, i);
      i = w.next;
      if (w.num !== undefined) f.width = w.num;
    }
    if (format[i] === ".") {
      i++;
      argIndex();
      if (format[i] === "*") {
        i++;
        const p = intArg();
        if (p === undefined || p < 0) out += "%!(BADPREC)";
        else f.prec = p;
      } else {
        const p = parsenum(format, i);
        i = p.next;
        f.prec = p.num ?? 0;
      }
    }
    argIndex();
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === "w") {
      out += badVerb(verb, arg === undefined ? null : arg);
      continue;
    }
    if (f.minus) f.zero = false;
    if (verb === "v") {
      // %+v and %#v: the flags select struct-field and Go syntax, they are not sign/alternate flags
      if (f.sharp) {
        out += pad(goSyntax(arg === undefined ? null : arg), { ...f, sharp: false });
        continue;
      }
      f.plus = false;
    }
    out += printValue(arg === undefined ? null : arg, verb, f);
  }
  if (!reordered && argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((a) =>
        a === undefined || a === null ? "<nil>" : `${goTypeOf(a)}=${printValue(a, "v", NO_FLAGS)}`,
      );
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
