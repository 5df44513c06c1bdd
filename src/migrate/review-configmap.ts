// `migrate` as a review: every difference from Argo Rollouts in a whole ConfigMap file, each with its line —
// template constructs that will not work here, keys that do not load, services of unsupported types, triggers
// whose behaviour differs (and how) — and the notes (accepted, same behaviour as Argo Rollouts, but worth a look).
// Pure: YAML text (+ optional Secret) in, report + the ConfigMap(s) to deploy out (Go templates run as they are,
// so that is the file itself, without Secret documents).
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";
import type { ConfigError } from "../config/config-error.ts";
import { loadNotifierConfig } from "../config/load-config.ts";
import { BUILTIN_CONDITION_DIFFERENCE } from "../config/trigger-config.ts";
import type { KubeObject } from "../kube/objects.ts";
import { BUILTIN_TRIGGERS, canonicalTrigger } from "../triggers/trigger-names.ts";
import { checkTemplateSource } from "./template-check.ts";
import { ANALYSIS_RUN_VARIABLE, ARGO_CD_VARIABLE, argoCdVariableUses } from "./template-variables.ts";
import { triggerDifferences } from "./trigger-differences.ts";

export interface ReviewItem {
  /** 1-based line in the reviewed file. */
  line: number;
  /** The ConfigMap key (and field) it is about, e.g. `template.rollout-paused field "message"`. */
  subject: string;
  message: string;
  /** true: something will behave differently than in Argo Rollouts (migrate exits 1). false: a note. */
  differs: boolean;
}

export interface ConfigMapReview {
  items: ReviewItem[];
  /** The reviewed file without its Secret documents (Go templates run here as they are: nothing to convert). */
  yaml: string;
}

export interface ReviewOptions {
  /** The Secret the ConfigMap's `$refs` resolve from; without it, references are not checked (a note says so). */
  secret?: KubeObject;
}

export function formatReviewItem(file: string, item: ReviewItem): string {
  return `${file}:${item.line}: ${item.differs ? "difference" : "note"}: ${item.subject}: ${item.message}`;
}

/** Reviews every ConfigMap in a YAML stream (a List's items too). Throws on invalid YAML. */
export function reviewConfigMapYaml(text: string, opts: ReviewOptions = {}): ConfigMapReview {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, logLevel: "error" });
  if (!Array.isArray(docs)) throw new Error("no YAML documents");
  const items: ReviewItem[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    const root = doc.contents;
    if (!isMap(root)) continue;
    const nodes: YAMLMap[] = [];
    if ((root.get("kind") as unknown) === "List") {
      const list = root.get("items", true);
      if (isSeq(list)) for (const item of list.items) if (isMap(item)) nodes.push(item);
    } else nodes.push(root);
    for (const node of nodes) {
      if ((node.get("kind") as unknown) === "ConfigMap") {
        const cm = node.toJS(doc, { maxAliasCount: 100 }) as KubeObject;
        items.push(...reviewConfigMap(node, cm, lines, opts));
      }
    }
  }
  items.sort((a, b) => a.line - b.line);
  return { items, yaml: withoutSecrets(text) };
}

/** The stream without Secret documents: their values never go to the output. */
function withoutSecrets(yaml: string): string {
  const docs = parseAllDocuments(yaml, { logLevel: "error" });
  if (!Array.isArray(docs)) return yaml;
  const isSecret = (d: (typeof docs)[number]) =>
    isMap(d.contents) && (d.contents.get("kind") as unknown) === "Secret";
  if (!docs.some(isSecret)) return yaml;
  return docs
    .filter((d) => !isSecret(d))
    .map((d) => d.toString({ lineWidth: 0, minContentWidth: 0 }).replace(/^---\n/, ""))
    .join("---\n");
}

interface DataKey {
  key: string;
  /** Line of the key. */
  line: number;
  /** Line where the value's text starts (the line after `|` for a block scalar). */
  valueLine: number;
  text: string | undefined;
}

function dataKeys(node: YAMLMap, lines: LineCounter): DataKey[] {
  const data = node.get("data", true);
  if (!isMap(data)) return [];
  const out: DataKey[] = [];
  for (const pair of data.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const line = pair.key.range ? lines.linePos(pair.key.range[0]).line : 1;
    let valueLine = line;
    let text: string | undefined;
    if (isScalar(pair.value)) {
      text = typeof pair.value.value === "string" ? pair.value.value : undefined;
      const start = pair.value.range ? lines.linePos(pair.value.range[0]).line : line;
      const block = pair.value.type === "BLOCK_LITERAL" || pair.value.type === "BLOCK_FOLDED";
      valueLine = block ? start + 1 : start;
    }
    out.push({ key, line, valueLine, text });
  }
  return out;
}

function reviewConfigMap(
  node: YAMLMap,
  cm: KubeObject,
  lines: LineCounter,
  opts: ReviewOptions,
): ReviewItem[] {
  const keys = dataKeys(node, lines);
  const keyLine = new Map(keys.map((k) => [k.key, k.line]));
  const lineOfKey = (key: string) => keyLine.get(key) ?? 1;
  const { config, errors, warnings } = loadNotifierConfig(cm, opts.secret);
  const items: ReviewItem[] = [];

  // templates: every construct that will not render as upstream, with its line (and Argo CD variables)
  const templateKeysWithProblems = new Set<string>();
  for (const k of keys) {
    if (!k.key.startsWith("template.") || k.text === undefined) continue;
    const found = templateProblems(k);
    if (found.problems.length > 0) templateKeysWithProblems.add(k.key);
    items.push(...found.problems, ...found.variables);
  }

  // keys that do not load
  let skippedRefs = 0;
  for (const e of errors) {
    if (!opts.secret && isSecretRefError(e)) {
      skippedRefs++;
      continue;
    }
    // a template that does not compile: its problems are reported above, each with its line
    if (templateKeysWithProblems.has(e.key) && !/^invalid YAML/.test(e.message)) continue;
    items.push({
      line: lineOfKey(e.key),
      subject: e.path ? `${e.key} (${e.path})` : e.key,
      message: `${e.message} — this key does not load here (the service keeps its last good value, if any)`,
      differs: true,
    });
  }
  if (skippedRefs > 0) {
    items.push({
      line: 1,
      subject: "Secret",
      message: `${skippedRefs} $reference(s) not checked: pass --secret to check them against the Secret`,
      differs: false,
    });
  }

  // accepted with a warning: a difference unless the behaviour is the same as Argo Rollouts'
  for (const w of warnings) {
    const { key, path, message } = parseWarning(w);
    if (templateKeysWithProblems.has(key) && /is not a template variable here/.test(message)) continue; // reported above, by line
    if (key.startsWith("template.") && message.includes(ANALYSIS_RUN_VARIABLE)) continue; // reported above, by line
    if (message === BUILTIN_CONDITION_DIFFERENCE) continue; // reported below per condition (triggerDifferences)
    items.push({
      line: lineOfKey(key),
      subject: path ? `${key} (${path})` : key,
      message,
      differs: warningDiffers(key, message),
    });
  }

  // subscriptions in the ConfigMap to built-in triggers it does not define: a load warning (above, a difference)

  // built-in triggers this ConfigMap leaves out: annotations naming them get a built-in template here
  const undefinedBuiltins = BUILTIN_TRIGGERS.filter((t) => !config.triggers[t]);
  if (undefinedBuiltins.length > 0 && keys.length > 0) {
    items.push({
      line: keys[0]!.line,
      subject: "triggers",
      message: `not defined here: ${undefinedBuiltins.join(", ")}. Argo Rollouts sends nothing for a subscription (annotation) to one of them; this service sends its built-in template for it`,
      differs: false,
    });
  }

  // triggers whose behaviour differs
  for (const k of keys) {
    if (!k.key.startsWith("trigger.")) continue;
    const name = canonicalTrigger(k.key.slice("trigger.".length));
    const conditions = config.triggers[name];
    if (!conditions) continue;
    for (const d of triggerDifferences(name, conditions)) {
      items.push({
        line: k.line,
        subject: d.index === undefined ? k.key : `${k.key} ([${d.index}].${d.field ?? "when"})`,
        message: d.message,
        differs: true,
      });
    }
  }
  return items;
}

function templateProblems(k: DataKey): { problems: ReviewItem[]; variables: ReviewItem[] } {
  const name = k.key.slice("template.".length);
  const inner = new LineCounter();
  const doc = parseDocument(k.text!, { lineCounter: inner, uniqueKeys: false, logLevel: "error" });
  const problems: ReviewItem[] = [];
  const variables: ReviewItem[] = [];
  if (doc.errors.length) return { problems, variables }; // the loader reports invalid YAML
  visit(doc, {
    Scalar(key, node, path) {
      if (key === "key" || typeof node.value !== "string") return;
      const found = checkTemplateSource(node.value);
      const uses = argoCdVariableUses(node.value);
      if (found.length === 0 && uses.length === 0) return;
      const field = fieldPath(path, key);
      const start = node.range ? inner.linePos(node.range[0]).line : 1;
      const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
      const fieldLine = k.valueLine + start - 1 + (block ? 1 : 0);
      const subject = `template "${name}" field "${field}"`;
      for (const u of uses) {
        variables.push({
          line: fieldLine + u.line - 1,
          subject,
          message: `${u.expression}: ${ARGO_CD_VARIABLE(u.name)}`,
          differs: u.name === "context" || u.name === "analysisRun", // .app/.repo print <no value> there as here
        });
      }
      for (const p of found) {
        problems.push({
          line: fieldLine + p.line - 1,
          subject,
          message: `${p.reason}; notifications with this template fail to render (each is reported, none is sent)`,
          differs: true,
        });
      }
    },
  });
  return { problems, variables };
}

function fieldPath(path: readonly unknown[], last: unknown): string {
  const parts: string[] = [];
  for (const p of path) {
    const pair = p as { key?: unknown };
    if (pair && typeof pair === "object" && "key" in pair && isScalar(pair.key))
      parts.push(String(pair.key.value));
  }
  if (typeof last === "number") parts.push(`[${last}]`);
  return parts.join(".").replace(/\.\[/g, "[");
}

function isSecretRefError(e: ConfigError): boolean {
  return /^references "\$[\w-]+" but Secret /.test(e.message);
}

/** Warnings are formatted `<source> key "<key> (<path>)": <message>` (KeyErrors.warn). */
function parseWarning(w: string): { key: string; path?: string; message: string } {
  const m = /^\S+ key "([^"]*?)(?: \(([^)]*)\))?": ([\s\S]*)$/.exec(w);
  if (!m) return { key: "", message: w };
  return m[2] ? { key: m[1]!, path: m[2], message: m[3]! } : { key: m[1]!, message: m[3]! };
}

/** Warnings about things that behave as in Argo Rollouts are notes; every other warning is a difference. */
function warningDiffers(key: string, message: string): boolean {
  if (/^duplicate key /.test(message)) return false; // last wins, as go-yaml v2
  if (/^unknown (field|key) ignored$/.test(message)) return false; // upstream's decoders ignore them too
  if (/which is empty in Secret/.test(message)) return false; // upstream substitutes "" too
  if (/never fires \(as in Argo Rollouts\)/.test(message)) return false;
  if (/is not defined$/.test(message)) return false; // upstream fails that send too (logged)
  if (key.startsWith("template.") && /accepted for compatibility and ignored/.test(message)) return false; // the service-level difference is reported on the service key
  return true;
}
