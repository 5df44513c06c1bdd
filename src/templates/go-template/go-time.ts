// Go's time.Time and time.Duration for Go templates: Format/Parse with Go reference layouts
// ("2006-01-02T15:04:05Z07:00"), Duration's String and ParseDuration. Times carry a fixed zone (name, offset);
// "Local" is UTC (the service runs in UTC, as the upstream controller's image does).
import { GoExecError, GoInt64, GoObject, type GoValue, intOf, isInt } from "./go-values.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export interface Zone {
  name: string;
  /** Seconds east of UTC. */
  offset: number;
}
export const UTC: Zone = { name: "UTC", offset: 0 };

const NS_PER_MS = 1_000_000n;

export class GoDuration extends GoObject {
  readonly goType = "time.Duration";
  readonly ns: bigint;
  constructor(ns: bigint) {
    super();
    this.ns = BigInt.asIntN(64, ns);
  }
  goString(): string {
    return durationString(this.ns);
  }
  method(name: string): ((args: GoValue[]) => GoValue) | undefined {
    const ns = this.ns;
    switch (name) {
      case "String":
        return () => durationString(ns);
      case "Seconds":
        return () => Number(ns) / 1e9;
      case "Minutes":
        return () => Number(ns) / 6e10;
      case "Hours":
        return () => Number(ns) / 3.6e12;
      case "Milliseconds":
        return () => new GoInt64(ns / 1_000_000n);
      case "Nanoseconds":
        return () => new GoInt64(ns);
      case "Round":
        return ([m]) => new GoDuration(roundDuration(ns, durationArg(m)));
      case "Truncate":
        return ([m]) => {
          const d = durationArg(m);
          return new GoDuration(d <= 0n ? ns : ns - (ns % d));
        };
      case "Abs":
        return () => new GoDuration(ns < 0n ? -ns : ns);
    }
    return undefined;
  }
}

function durationArg(v: GoValue): bigint {
  if (v instanceof GoDuration) return v.ns;
  if (isInt(v)) return intOf(v);
  throw new GoExecError(`wrong type for value; expected time.Duration; got ${typeof v}`);
}

function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}

/** time.Duration.String(). */
export function durationString(d: bigint): string {
  if (d === 0n) return "0s";
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) return `${neg ? "-" : ""}${u}ns`;
    if (u < 1_000_000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    out = fracString(u, prec) + unit;
  } else {
    out = `${fracString(u % 60_000_000_000n, 9)}s`;
    u /= 60_000_000_000n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return (neg ? "-" : "") + out;
}

function fracString(v: bigint, prec: number): string {
  const div = 10n ** BigInt(prec);
  const whole = v / div;
  const frac = (v % div).toString().padStart(prec, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration; undefined when invalid. */
export function parseDuration(s: string): bigint | undefined {
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return undefined;
  let total = 0n;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(s);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) return undefined;
    const unit = UNITS[m[3]!]!;
    const whole = BigInt(m[1] || "0");
    let v = whole * unit;
    if (m[2]) {
      const scale = 10n ** BigInt(m[2].length);
      v += (BigInt(m[2]) * unit) / scale;
    }
    total += v;
    s = s.slice(m[0].length);
  }
  if (total > 9223372036854775807n) return undefined;
  return neg ? -total : total;
}

export class GoTime extends GoObject {
  readonly goType = "time.Time";
  /** Milliseconds since the Unix epoch (integer). */
  readonly ms: number;
  /** Nanoseconds within the millisecond (0–999999). */
  readonly ns: number;
  readonly zone: Zone;
  constructor(ms: number, ns = 0, zone: Zone = UTC) {
    super();
    this.ms = ms;
    this.ns = ns;
    this.zone = zone;
  }
  static fromNanos(total: bigint, zone: Zone = UTC): GoTime {
    let ms = total / NS_PER_MS;
    let ns = total % NS_PER_MS;
    if (ns < 0n) {
      ns += NS_PER_MS;
      ms -= 1n;
    }
    return new GoTime(Number(ms), Number(ns), zone);
  }
  get nanos(): bigint {
    return BigInt(this.ms) * NS_PER_MS + BigInt(this.ns);
  }
  unix(): bigint {
    return BigInt(Math.floor(this.ms / 1000));
  }
  isZero(): boolean {
    return this.ms === ZERO_MS && this.ns === 0;
  }
  in(zone: Zone): GoTime {
    return new GoTime(this.ms, this.ns, zone);
  }
  format(layout: string): string {
    return formatTime(this, layout);
  }
  goString(): string {
    return this.format("2006-01-02 15:04:05.999999999 -0700 MST");
  }
  method(name: string): ((args: GoValue[]) => GoValue) | undefined {
    switch (name) {
      case "Format":
        return ([l]) => this.format(stringArg(l));
      case "String":
        return () => this.goString();
      case "Unix":
        return () => new GoInt64(this.unix());
      case "UnixMilli":
        return () => new GoInt64(BigInt(this.ms));
      case "UnixNano":
        return () => new GoInt64(this.nanos);
      case "UTC":
        return () => this.in(UTC);
      case "Local":
        return () => this.in(UTC);
      case "IsZero":
        return () => this.isZero();
      case "Add":
        return ([d]) => GoTime.fromNanos(this.nanos + durationArg(d), this.zone);
      case "Sub":
        return ([t]) => {
          if (!(t instanceof GoTime)) throw new GoExecError("wrong type for value; expected time.Time");
          return new GoDuration(this.nanos - t.nanos);
        };
      case "Before":
        return ([t]) => t instanceof GoTime && this.nanos < t.nanos;
      case "After":
        return ([t]) => t instanceof GoTime && this.nanos > t.nanos;
      case "Equal":
        return ([t]) => t instanceof GoTime && this.nanos === t.nanos;
      case "Year":
        return () => BigInt(this.fields().year);
      case "Month":
        return () => MONTHS[this.fields().month - 1]!;
      case "Day":
        return () => BigInt(this.fields().day);
      case "Hour":
        return () => BigInt(this.fields().hour);
      case "Minute":
        return () => BigInt(this.fields().minute);
      case "Second":
        return () => BigInt(this.fields().second);
      case "Nanosecond":
        return () => BigInt((this.ms - Math.floor(this.ms / 1000) * 1000) * 1e6 + this.ns);
      case "Weekday":
        return () => DAYS[this.fields().weekday]!;
      case "YearDay":
        return () => BigInt(this.fields().yday);
      case "Truncate":
        return ([d]) => {
          const m = durationArg(d);
          if (m <= 0n) return this;
          const n = this.nanos - ZERO_NS;
          return GoTime.fromNanos(this.nanos - (((n % m) + m) % m), this.zone);
        };
      case "Round":
        return ([d]) => {
          const m = durationArg(d);
          if (m <= 0n) return this;
          const n = this.nanos - ZERO_NS;
          const r = ((n % m) + m) % m;
          return GoTime.fromNanos(r + r < m ? this.nanos - r : this.nanos + m - r, this.zone);
        };
    }
    return undefined;
  }
  fields() {
    const d = new Date(this.ms + this.zone.offset * 1000);
    const year = d.getUTCFullYear();
    const jan1 = new Date(0);
    jan1.setUTCFullYear(year, 0, 1);
    const day0 = new Date(0);
    day0.setUTCFullYear(year, d.getUTCMonth(), d.getUTCDate());
    return {
      year,
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      milli: d.getUTCMilliseconds(),
      weekday: d.getUTCDay(),
      yday: Math.round((day0.getTime() - jan1.getTime()) / 86400000) + 1,
    };
  }
}

const zeroDate = new Date(0);
zeroDate.setUTCFullYear(1, 0, 1);
/** time.Time{} (January 1, year 1, 00:00:00 UTC). */
export const ZERO_MS = zeroDate.getTime();
const ZERO_NS = BigInt(ZERO_MS) * NS_PER_MS;
export const ZERO_TIME = new GoTime(ZERO_MS);

function stringArg(v: GoValue): string {
  if (typeof v !== "string") throw new GoExecError("wrong type for value; expected string");
  return v;
}

// ---- layouts ----

const STD_CHUNKS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "PM",
  "pm",
  "1",
  "2",
  "3",
  "4",
  "5",
];

type Chunk = { lit: string } | { std: string };

/** Splits a layout the way Go's nextStdChunk does. */
function layoutChunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = "";
  let i = 0;
  const push = (std: string) => {
    if (lit) out.push({ lit });
    lit = "";
    out.push({ std });
  };
  while (i < layout.length) {
    const rest = layout.slice(i);
    // fractional seconds: .000 / ,000 / .999 / ,999 not followed by a digit
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(rest);
    if (frac) {
      push(frac[0]);
      i += frac[0].length;
      continue;
    }
    let matched: string | undefined;
    for (const c of STD_CHUNKS) {
      if (!rest.startsWith(c)) continue;
      // Go: "Jan"/"Mon" only when not followed by a lowercase letter (January/Monday matched first)
      if ((c === "Mon" || c === "Jan") && /^[a-z]/.test(rest.slice(c.length))) continue;
      matched = c;
      break;
    }
    if (matched) {
      push(matched);
      i += matched.length;
    } else {
      lit += layout[i];
      i++;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

const p2 = (n: number) => String(n).padStart(2, "0");

function zoneOffset(off: number, std: string): string {
  if (off === 0 && std.startsWith("Z")) return "Z";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const h = p2(Math.floor(a / 3600));
  const m = p2(Math.floor((a % 3600) / 60));
  const s = p2(a % 60);
  const kind = std.replace(/^Z/, "-");
  switch (kind) {
    case "-07":
      return sign + h;
    case "-0700":
      return sign + h + m;
    case "-07:00":
      return `${sign}${h}:${m}`;
    case "-070000":
      return sign + h + m + s;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

export function formatTime(t: GoTime, layout: string): string {
  const f = t.fields();
  const nanosOfSec = f.milli * 1_000_000 + t.ns;
  let out = "";
  for (const c of layoutChunks(layout)) {
    if ("lit" in c) {
      out += c.lit;
      continue;
    }
    const std = c.std;
    switch (std) {
      case "January":
        out += MONTHS[f.month - 1];
        break;
      case "Jan":
        out += MONTHS[f.month - 1]!.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[f.weekday];
        break;
      case "Mon":
        out += DAYS[f.weekday]!.slice(0, 3);
        break;
      case "MST":
        out += t.zone.name || zoneOffset(t.zone.offset, "-0700");
        break;
      case "2006":
        out += f.year < 0 ? `-${String(-f.year).padStart(4, "0")}` : String(f.year).padStart(4, "0");
        break;
      case "06":
        out += p2(((f.year % 100) + 100) % 100);
        break;
      case "01":
        out += p2(f.month);
        break;
      case "1":
        out += f.month;
        break;
      case "02":
        out += p2(f.day);
        break;
      case "2":
        out += f.day;
        break;
      case "_2":
        out += String(f.day).padStart(2, " ");
        break;
      case "002":
        out += String(f.yday).padStart(3, "0");
        break;
      case "__2":
        out += String(f.yday).padStart(3, " ");
        break;
      case "15":
        out += p2(f.hour);
        break;
      case "03":
        out += p2(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case "3":
        out += f.hour % 12 === 0 ? 12 : f.hour % 12;
        break;
      case "04":
        out += p2(f.minute);
        break;
      case "4":
        out += f.minute;
        break;
      case "05":
        out += p2(f.second);
        break;
      case "5":
        out += f.second;
        break;
      case "PM":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      default:
        if (/^[.,]/.test(std)) {
          const digits = std.length - 1;
          const all = String(nanosOfSec).padStart(9, "0").slice(0, digits);
          if (std[1] === "0") out += std[0] + all;
          else {
            const trimmed = all.replace(/0+$/, "");
            if (trimmed) out += std[0] + trimmed;
          }
        } else out += zoneOffset(t.zone.offset, std);
    }
  }
  return out;
}

/** time.Parse / time.ParseInLocation (loc UTC); undefined when the value does not match the layout. */
export function parseTime(layout: string, value: string): GoTime | undefined {
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zoneName: string | undefined;
  let v = value;
  const num = (min: number, max: number): number | undefined => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(v);
    if (!m) return undefined;
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  const chunks = layoutChunks(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    if ("lit" in c) {
      if (!v.startsWith(c.lit)) return undefined;
      v = v.slice(c.lit.length);
      continue;
    }
    let n: number | undefined;
    switch (c.std) {
      case "January":
      case "Jan": {
        const names = c.std === "Jan" ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS;
        const idx = names.findIndex((m) => v.toLowerCase().startsWith(m.toLowerCase()));
        if (idx < 0) return undefined;
        month = idx + 1;
        v = v.slice(names[idx]!.length);
        continue;
      }
      case "Monday":
      case "Mon": {
        const names = c.std === "Mon" ? DAYS.map((m) => m.slice(0, 3)) : DAYS;
        const idx = names.findIndex((m) => v.toLowerCase().startsWith(m.toLowerCase()));
        if (idx < 0) return undefined;
        v = v.slice(names[idx]!.length);
        continue;
      }
      case "2006":
        n = num(4, 4);
        if (n === undefined) return undefined;
        year = n;
        continue;
      case "06":
        n = num(2, 2);
        if (n === undefined) return undefined;
        year = n >= 69 ? 1900 + n : 2000 + n;
        continue;
      case "01":
      case "1":
        n = num(c.std === "01" ? 2 : 1, 2);
        if (n === undefined || n < 1 || n > 12) return undefined;
        month = n;
        continue;
      case "02":
      case "2":
      case "_2":
        if (c.std === "_2" && v[0] === " ") v = v.slice(1);
        n = num(c.std === "02" ? 2 : 1, 2);
        if (n === undefined || n < 1 || n > 31) return undefined;
        day = n;
        continue;
      case "002":
      case "__2":
        n = num(1, 3);
        if (n === undefined) return undefined;
        continue;
      case "15":
        n = num(1, 2);
        if (n === undefined || n > 23) return undefined;
        hour = n;
        continue;
      case "03":
      case "3":
        n = num(c.std === "03" ? 2 : 1, 2);
        if (n === undefined || n > 12) return undefined;
        hour = n;
        continue;
      case "04":
      case "4":
        n = num(c.std === "04" ? 2 : 1, 2);
        if (n === undefined || n > 59) return undefined;
        minute = n;
        continue;
      case "05":
      case "5": {
        n = num(c.std === "05" ? 2 : 1, 2);
        if (n === undefined || n > 59) return undefined;
        second = n;
        // Go accepts fractional seconds after seconds even when the layout has none
        const next = chunks[ci + 1];
        const nextIsFrac = next && "std" in next && /^[.,]/.test(next.std);
        if (!nextIsFrac) {
          const fm = /^[.,](\d+)/.exec(v);
          if (fm) {
            nanos = Number(fm[1]!.slice(0, 9).padEnd(9, "0"));
            v = v.slice(fm[0].length);
          }
        }
        continue;
      }
      case "PM":
      case "pm": {
        const s = v.slice(0, 2).toUpperCase();
        if (s !== "AM" && s !== "PM") return undefined;
        pm = s === "PM";
        v = v.slice(2);
        continue;
      }
      case "MST": {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(v);
        if (!m) return undefined;
        zoneName = m[1];
        if (m[1] === "UTC" || m[1] === "GMT") offset ??= 0;
        v = v.slice(m[0].length);
        continue;
      }
      default:
        if (/^[.,]/.test(c.std)) {
          const fm = /^[.,](\d+)/.exec(v);
          if (!fm) {
            if (c.std[1] === "9") continue;
            return undefined;
          }
          nanos = Number(fm[1]!.slice(0, 9).padEnd(9, "0"));
          v = v.slice(fm[0].length);
          continue;
        }
        // zone offsets
        if (c.std.startsWith("Z") && v[0] === "Z") {
          v = v.slice(1);
          offset = 0;
          zoneName = "UTC";
          continue;
        }
        {
          const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(v);
          if (!m) return undefined;
          offset =
            (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
          v = v.slice(m[0].length);
        }
    }
  }
  if (v !== "") return undefined;
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCDate() !== day) return undefined; // day out of range for the month
  d.setUTCHours(hour, minute, second, Math.floor(nanos / 1e6));
  const off = offset ?? 0;
  const zone: Zone =
    offset === undefined
      ? UTC
      : off === 0 && (zoneName === undefined || zoneName === "UTC")
        ? UTC
        : { name: zoneName ?? "", offset: off };
  return new GoTime(d.getTime() - off * 1000, nanos % 1e6, zone);
}

/** A fixed zone from a name: UTC/Local/"" → UTC; an IANA name via Intl at the instant `at`. */
export function loadZone(name: string, atMs: number): Zone | undefined {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      timeZoneName: "shortOffset",
      hour: "numeric",
    }).formatToParts(new Date(atMs));
    const tz = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(tz);
    const offset = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60) : 0;
    // the zone's abbreviation as tzdata has it (EST, CEST, BST…) where ICU knows it, else Go's numeric form (+09)
    let zname = zoneOffset(offset, "-07");
    for (const locale of ["en-US", "en-GB"]) {
      const abbr = new Intl.DateTimeFormat(locale, { timeZone: name, timeZoneName: "short" })
        .formatToParts(new Date(atMs))
        .find((p) => p.type === "timeZoneName")?.value;
      if (abbr && /^[A-Z]{3,5}$/.test(abbr) && (abbr !== "GMT" || offset === 0)) {
        zname = abbr;
        break;
      }
    }
    return { name: zname, offset };
  } catch {
    return undefined;
  }
}
