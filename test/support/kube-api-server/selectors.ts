// Label selectors (=, ==, !=, in, notin, exists, !exists, gt, lt) and field selectors (metadata.name,
// metadata.namespace; `type` for Secrets) with the real API server's grammar; bad selectors raise 400.
import type { KubeObject } from "../../../src/kube/objects.ts";
import { badRequest } from "./status-errors.ts";

type Op = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type ObjectPredicate = (obj: KubeObject) => boolean;

const KEY_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim());
}

function parseLabelTerm(term: string, selector: string): Requirement {
  const fail = (why: string) =>
    badRequest(`unable to parse requirement: ${why} (labelSelector "${selector}", term "${term}")`);
  let req: Requirement | undefined;
  const set = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  const notExists = /^!\s*([^\s!=<>(),]+)$/.exec(term);
  const compare = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/.exec(term);
  const exists = /^([^\s!=<>(),]+)$/.exec(term);
  if (set) {
    const values = set[3]!
      .split(",")
      .map((v) => v.trim())
      .filter((v, _i, all) => v !== "" || all.length > 1);
    if (values.length === 0) throw fail("for 'in', 'notin' operators, values set can't be empty");
    req = { key: set[1]!, op: set[2] as Op, values };
  } else if (notExists) {
    req = { key: notExists[1]!, op: "!", values: [] };
  } else if (compare) {
    const sym = compare[2];
    const op: Op = sym === "==" ? "=" : sym === ">" ? "gt" : sym === "<" ? "lt" : (sym as Op);
    req = { key: compare[1]!, op, values: [compare[3]!] };
    if ((op === "gt" || op === "lt") && !/^-?\d+$/.test(compare[3]!)) {
      throw fail("for 'Gt', 'Lt' operators, the value must be an integer");
    }
  } else if (exists) {
    req = { key: exists[1]!, op: "exists", values: [] };
  }
  if (!req) throw fail("found unexpected token");
  if (!KEY_RE.test(req.key)) throw fail(`invalid label key "${req.key}"`);
  for (const v of req.values)
    if (v.length > 63 || !VALUE_RE.test(v)) throw fail(`invalid label value: "${v}"`);
  return req;
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case "=":
    case "in":
      return has && req.values.includes(value!);
    case "!=":
    case "notin":
      return !has || !req.values.includes(value!);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.op === "gt" ? n > bound : n < bound;
    }
  }
}

/** Parses a label selector ("" or undefined matches everything). */
export function parseLabelSelector(selector: string | undefined): ObjectPredicate {
  if (!selector || selector.trim() === "") return () => true;
  const reqs = splitTerms(selector).map((t) => parseLabelTerm(t, selector));
  return (obj) => reqs.every((r) => matches(r, obj.metadata.labels ?? {}));
}

const FIELD_GETTERS: Record<string, (obj: KubeObject) => string> = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
};

/** Parses a field selector; supported fields: metadata.name, metadata.namespace (and `type` for Secrets). */
export function parseFieldSelector(selector: string | undefined, kind: string): ObjectPredicate {
  if (!selector || selector.trim() === "") return () => true;
  const checks = splitTerms(selector).map((term) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    let get = FIELD_GETTERS[field];
    if (!get && kind === "Secret" && field === "type")
      get = (o) => String((o as { type?: string }).type ?? "");
    if (!get) {
      throw badRequest(
        `field label not supported: ${field} ("${field}" is not a known field selector: only "metadata.name", "metadata.namespace")`,
      );
    }
    const getter = get;
    const value = m[3]!;
    const negate = m[2] === "!=";
    return (obj: KubeObject) => (getter(obj) === value) !== negate;
  });
  return (obj) => checks.every((c) => c(obj));
}
