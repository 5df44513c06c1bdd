// Masterminds/semver v3 as sprig exposes it: `semver "1.2.3"` (a *Version with Major, Minor, Patch,
// Prerelease, Metadata, Original, String, Compare, LessThan, GreaterThan, Equal) and
// `semverCompare "^1.2" "1.4.0"` (constraints: = != > < >= <= ~ ~> ^, x/* wildcards, hyphen ranges, `,` and
// space for AND, `||` for OR; a prerelease version only satisfies comparators that name a prerelease).
import { GoExecError, GoObject, type GoValue } from "./go-values.ts";

const VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

export class SemverVersion extends GoObject {
  readonly goType = "*semver.Version";
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
  constructor(major: bigint, minor: bigint, patch: bigint, pre: string, metadata: string, original: string) {
    super();
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.metadata = metadata;
    this.original = original;
  }
  goString(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.pre ? `-${this.pre}` : ""}${this.metadata ? `+${this.metadata}` : ""}`;
  }
  method(name: string): ((args: GoValue[]) => GoValue) | undefined {
    switch (name) {
      case "Major":
        return () => this.major;
      case "Minor":
        return () => this.minor;
      case "Patch":
        return () => this.patch;
      case "Prerelease":
        return () => this.pre;
      case "Metadata":
        return () => this.metadata;
      case "Original":
        return () => this.original;
      case "String":
        return () => this.goString();
      case "Compare":
        return ([o]) => BigInt(compareVersions(this, asVersion(o)));
      case "LessThan":
        return ([o]) => compareVersions(this, asVersion(o)) < 0;
      case "GreaterThan":
        return ([o]) => compareVersions(this, asVersion(o)) > 0;
      case "Equal":
        return ([o]) => compareVersions(this, asVersion(o)) === 0;
    }
    return undefined;
  }
}

function asVersion(v: GoValue): SemverVersion {
  if (v instanceof SemverVersion) return v;
  throw new GoExecError("wrong type for value; expected *semver.Version");
}

function parseVersion(v: string): SemverVersion | undefined {
  const m = VERSION.exec(v);
  if (!m) return undefined;
  const num = (s: string | undefined) => BigInt((s ?? ".0").slice(1) || "0");
  const pre = m[5] ?? "";
  if (pre.split(".").some((p) => /^0\d+$/.test(p))) return undefined;
  return new SemverVersion(BigInt(m[1]!), num(m[2]), num(m[3]), pre, m[8] ?? "", v);
}

export function semverOf(v: string): SemverVersion {
  const parsed = parseVersion(v);
  if (!parsed) throw new GoExecError("Invalid Semantic Version");
  return parsed;
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: SemverVersion, b: SemverVersion): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return comparePre(a.pre, b.pre);
}

interface Comparator {
  op: string;
  v: SemverVersion;
  /** Number of version parts given (1–3) before a wildcard. */
  parts: number;
}

const CONSTRAINT =
  /^\s*(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*v?([0-9xX*]+)(\.[0-9xX*]+)?(\.[0-9xX*]+)?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\s*$/;

function parseComparator(text: string): Comparator {
  const m = CONSTRAINT.exec(text);
  if (!m) throw new GoExecError(`improper constraint: ${text}`);
  const segs = [m[2], m[3]?.slice(1), m[4]?.slice(1)];
  let parts = 0;
  const nums: bigint[] = [];
  for (const s of segs) {
    if (s === undefined || /^[xX*]$/.test(s)) break;
    nums.push(BigInt(s));
    parts++;
  }
  while (nums.length < 3) nums.push(0n);
  const pre = m[5]?.slice(1) ?? "";
  return { op: m[1] ?? "", v: new SemverVersion(nums[0]!, nums[1]!, nums[2]!, pre, "", text), parts };
}

const bump = (v: SemverVersion, part: "major" | "minor" | "patch") =>
  new SemverVersion(
    part === "major" ? v.major + 1n : v.major,
    part === "minor" ? v.minor + 1n : part === "major" ? 0n : v.minor,
    part === "patch" ? v.patch + 1n : part === "major" || part === "minor" ? 0n : v.patch,
    "",
    "",
    "",
  );

function check(c: Comparator, v: SemverVersion): boolean {
  if (v.pre && !c.v.pre) return false;
  const cmp = compareVersions(v, c.v);
  const upper = (): SemverVersion =>
    c.parts <= 1 ? bump(c.v, "major") : c.parts === 2 ? bump(c.v, "minor") : bump(c.v, "patch");
  switch (c.op) {
    case "":
    case "=":
      if (c.parts === 3) return cmp === 0;
      if (c.parts === 0) return true;
      return cmp >= 0 && compareVersions(v, upper()) < 0;
    case "!=":
      if (c.parts === 3) return cmp !== 0;
      return !(cmp >= 0 && compareVersions(v, upper()) < 0);
    case ">":
      if (c.parts === 3) return cmp > 0;
      return compareVersions(v, upper()) >= 0;
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      if (c.parts === 3) return cmp <= 0;
      return compareVersions(v, upper()) < 0;
    case "~":
    case "~>": {
      if (cmp < 0) return false;
      const hi = c.parts <= 1 ? bump(c.v, "major") : bump(c.v, "minor");
      return compareVersions(v, hi) < 0;
    }
    case "^": {
      if (cmp < 0) return false;
      let hi: SemverVersion;
      if (c.v.major > 0n || c.parts <= 1) hi = bump(c.v, "major");
      else if (c.v.minor > 0n || c.parts === 2) hi = bump(c.v, "minor");
      else hi = bump(c.v, "patch");
      return compareVersions(v, hi) < 0;
    }
  }
  return false;
}

/** sprig's semverCompare(constraint, version). */
export function semverCompare(constraint: string, version: string): boolean {
  const groups = constraint.split("||").map((g) => {
    const text = g.trim().replace(/\s+-\s+/, " - ");
    const hyphen = /^(\S+) - (\S+)$/.exec(text);
    if (hyphen) {
      const hi = parseComparator(hyphen[2]!);
      return [parseComparator(`>=${hyphen[1]}`), { ...hi, op: "<=" }];
    }
    return text
      .replace(/(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)\s+/g, "$1")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(parseComparator);
  });
  const v = parseVersion(version);
  if (!v) throw new GoExecError("Invalid Semantic Version");
  return groups.some((g) => g.every((c) => check(c, v)));
}
