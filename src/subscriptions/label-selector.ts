// Kubernetes label selector strings ("app=web,tier in (a,b),!canary"), as ConfigMap `subscriptions[].selector`
// uses them. Pure.

export type LabelRequirement =
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export interface LabelSelector {
  source: string;
  requirements: LabelRequirement[];
}

export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabelSelectorError";
  }
}

const KEY = `(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = `(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^()]*)\)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of source) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (depth < 0) throw new LabelSelectorError("unbalanced ')'");
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  if (depth !== 0) throw new LabelSelectorError("unbalanced '('");
  parts.push(cur);
  return parts.map((p) => p.trim());
}

/** Parses a selector; "" selects everything. Throws LabelSelectorError naming the bad requirement. */
export function parseLabelSelector(source: string): LabelSelector {
  const requirements: LabelRequirement[] = [];
  if (source.trim() === "") return { source, requirements };
  for (const part of splitTopLevel(source)) {
    if (part === "") throw new LabelSelectorError("empty requirement (stray comma?)");
    let m = EQUALITY.exec(part);
    if (m) {
      requirements.push({ key: m[1]!, op: m[2] === "!=" ? "notin" : "in", values: [m[3]!] });
      continue;
    }
    m = SET.exec(part);
    if (m) {
      const values = m[3]!.split(",").map((v) => v.trim());
      const bad = values.find((v) => !VALUE_ONLY.test(v));
      if (bad !== undefined) throw new LabelSelectorError(`invalid label value "${bad}" in "${part}"`);
      requirements.push({ key: m[1]!, op: m[2] as "in" | "notin", values });
      continue;
    }
    m = EXISTS.exec(part);
    if (m) {
      requirements.push({ key: m[2]!, op: m[1] ? "!exists" : "exists" });
      continue;
    }
    throw new LabelSelectorError(`invalid requirement "${part}"`);
  }
  return { source, requirements };
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "in":
        return has && r.values.includes(l[r.key]!);
      default:
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}
