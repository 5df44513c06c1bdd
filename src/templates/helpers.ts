// Template helpers (registered on the isolated Handlebars environment in engine.ts). Pure functions of their
// arguments and the render context; none does I/O or reads the clock. docs/templates.md lists them.
//
// Argument order follows Handlebars habits (`{{default value "n/a"}}`, `{{truncate text 100}}`); helpers that keep
// a sprig name (trunc, trimPrefix, replace, contains, hasPrefix, hasSuffix) keep sprig's order. (Go templates do
// not use these: they run on the Go interpreter with Sprig itself, see go-template/.)
import type { HelperOptions } from "handlebars";
import {
  type EscapeMode,
  escapeForMode,
  escapeSlackDeep,
  modeEscapesSlack,
  stringifyValue,
} from "./escaping.ts";
import { durationBetween, formatTime } from "./time-format.ts";
import { isTruthy } from "./truthiness.ts";

export interface SafeStringLike {
  toHTML(): string;
}
export type MakeSafeString = (s: string) => SafeStringLike;
type Helper = (...args: unknown[]) => unknown;

/** The helper's own arguments (Handlebars appends an options object last). */
function argsOf(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  const options = args[args.length - 1] as HelperOptions;
  return { values: args.slice(0, -1), options };
}

export function escapeModeOf(options: HelperOptions | undefined): EscapeMode {
  const mode = (options?.data as { _escapeMode?: EscapeMode } | undefined)?._escapeMode;
  return mode ?? "none";
}

function rootTime(options: HelperOptions | undefined): string | undefined {
  const root = (options?.data as { root?: { time?: unknown } } | undefined)?.root;
  return typeof root?.time === "string" ? root.time : undefined;
}

const str = (v: unknown): string => stringifyValue(v);

/** A number from a number or numeric string; a missing value (nil, "") counts as 0, as in sprig. */
function toNumber(v: unknown, helper: string): number {
  if (v === undefined || v === null || v === "") return 0;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  if (Number.isNaN(n)) throw new Error(`${helper}: "${str(v)}" is not a number`);
  return n;
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  return false;
}

function compare(a: unknown, b: unknown, helper: string): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return toNumber(a, helper) - toNumber(b, helper);
}

function lengthOf(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (typeof v === "object") return Object.keys(v).length;
  throw new Error(`len: cannot take the length of ${typeof v}`);
}

function indexInto(value: unknown, keys: unknown[]): unknown {
  let cur = value;
  for (const k of keys) {
    if (cur === undefined || cur === null) return undefined;
    if (Array.isArray(cur)) cur = cur[toNumber(k, "index")];
    else if (typeof cur === "object") {
      const key = str(k);
      cur = Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    } else return undefined;
  }
  return cur;
}

/** Go's fmt.Sprintf for the verbs templates use: %s %v %d %f %.Nf %q %t %x %%. */
export function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%(\.\d+)?([svdfqtx%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === "%") return "%";
    const a = args[i++];
    switch (verb) {
      case "d":
        return String(Math.trunc(toNumber(a, "printf")));
      case "f":
        return toNumber(a, "printf").toFixed(prec ? Number(prec.slice(1)) : 6);
      case "q":
        return JSON.stringify(str(a));
      case "t":
        return String(isTruthy(a));
      case "x":
        return typeof a === "number" ? a.toString(16) : Buffer.from(str(a)).toString("hex");
      default:
        return str(a);
    }
  });
}

function truncateText(text: string, max: number): string {
  if (max <= 0) return "";
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** Builds the helper table; `safe` wraps text that must not be escaped again (Handlebars SafeString). */
export function buildHelpers(safe: MakeSafeString): Record<string, Helper> {
  const json = (pretty: boolean) =>
    ((...args: unknown[]) => {
      const { values, options } = argsOf(args);
      const v = values[0] === undefined ? null : values[0];
      const escaped = modeEscapesSlack(escapeModeOf(options)) ? escapeSlackDeep(v) : v;
      return safe(JSON.stringify(escaped, null, pretty ? 2 : undefined) ?? "null");
    }) as Helper;

  const helpers: Record<string, Helper> = {
    // comparison and logic (Go semantics: and/or return an operand, eq compares with any of several)
    eq: (...args) => {
      const { values } = argsOf(args);
      return values.slice(1).some((b) => looseEqual(values[0], b));
    },
    ne: (...args) => !looseEqual(argsOf(args).values[0], argsOf(args).values[1]),
    lt: (...args) => compare(args[0], args[1], "lt") < 0,
    le: (...args) => compare(args[0], args[1], "le") <= 0,
    gt: (...args) => compare(args[0], args[1], "gt") > 0,
    ge: (...args) => compare(args[0], args[1], "ge") >= 0,
    and: (...args) => {
      const { values } = argsOf(args);
      for (const v of values) if (!isTruthy(v)) return v;
      return values[values.length - 1];
    },
    or: (...args) => {
      const { values } = argsOf(args);
      for (const v of values) if (isTruthy(v)) return v;
      return values[values.length - 1];
    },
    not: (...args) => !isTruthy(argsOf(args).values[0]),
    default: (...args) => {
      const { values } = argsOf(args);
      return isTruthy(values[0]) ? values[0] : values[1];
    },

    // JSON: the output is inserted as is (already valid JSON); strings inside are Slack-escaped in Slack fields
    json: json(false),
    toJson: json(false),
    jsonPretty: json(true),
    toPrettyJson: json(true),
    quote: (...args) => JSON.stringify(str(argsOf(args).values[0])),
    squote: (...args) => `'${str(argsOf(args).values[0])}'`,

    // text
    upper: (...args) => str(argsOf(args).values[0]).toUpperCase(),
    lower: (...args) => str(argsOf(args).values[0]).toLowerCase(),
    title: (...args) => str(argsOf(args).values[0]).replace(/\b\p{L}/gu, (c) => c.toUpperCase()),
    trim: (...args) => str(argsOf(args).values[0]).trim(),
    truncate: (...args) => truncateText(str(args[0]), toNumber(args[1], "truncate")),
    trunc: (...args) => {
      const n = toNumber(args[0], "trunc");
      const s = str(args[1]);
      return n >= 0 ? s.slice(0, n) : s.slice(n);
    },
    trimPrefix: (...args) => {
      const p = str(args[0]);
      const s = str(args[1]);
      return p && s.startsWith(p) ? s.slice(p.length) : s;
    },
    trimSuffix: (...args) => {
      const p = str(args[0]);
      const s = str(args[1]);
      return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
    },
    replace: (...args) => str(args[2]).split(str(args[0])).join(str(args[1])),
    contains: (...args) => str(args[1]).includes(str(args[0])),
    hasPrefix: (...args) => str(args[1]).startsWith(str(args[0])),
    hasSuffix: (...args) => str(args[1]).endsWith(str(args[0])),
    join: (...args) => {
      const { values } = argsOf(args);
      const list = Array.isArray(values[0]) ? values[0] : [];
      return list.map(str).join(values.length > 1 ? str(values[1]) : ", ");
    },
    print: (...args) => argsOf(args).values.map(str).join(""),
    println: (...args) => `${argsOf(args).values.map(str).join(" ")}\n`,
    printf: (...args) => {
      const { values } = argsOf(args);
      return sprintf(str(values[0]), values.slice(1));
    },
    urlquery: (...args) => encodeURIComponent(argsOf(args).values.map(str).join("")),
    /** Explicit Slack escaping, for fields that are not escaped by default. */
    slackEscape: (...args) => escapeForMode(str(argsOf(args).values[0]), "slack"),

    // numbers and collections
    add: (...args) => argsOf(args).values.reduce<number>((acc, v) => acc + toNumber(v, "add"), 0),
    add1: (...args) => toNumber(args[0], "add1") + 1,
    sub: (...args) => toNumber(args[0], "sub") - toNumber(args[1], "sub"),
    mul: (...args) => argsOf(args).values.reduce<number>((acc, v) => acc * toNumber(v, "mul"), 1),
    div: (...args) => {
      const d = toNumber(args[1], "div");
      if (d === 0) throw new Error("div: division by zero");
      return Math.trunc(toNumber(args[0], "div") / d);
    },
    mod: (...args) => toNumber(args[0], "mod") % toNumber(args[1], "mod"),
    len: (...args) => lengthOf(argsOf(args).values[0]),
    index: (...args) => {
      const { values } = argsOf(args);
      return indexInto(values[0], values.slice(1));
    },

    // time ("now" is the context's time)
    formatTime: (...args) => {
      const { values } = argsOf(args);
      return formatTime(values[0], values.length > 1 ? str(values[1]) : "iso");
    },
    since: (...args) => {
      const { values, options } = argsOf(args);
      const now = rootTime(options);
      return now ? durationBetween(values[0], now) : "";
    },
    duration: (...args) => durationBetween(args[0], args[1]),
    now: (...args) => rootTime(argsOf(args).options) ?? "",
  };
  return helpers;
}
