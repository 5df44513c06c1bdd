// `migrate`: reviews the `template.*` keys of argo-rollouts-notification-configmap documents. Go templates run
// here as they are (src/templates/go-template), so they are kept unchanged; every construct that would not
// render as in Argo Rollouts is reported with its template, field and line. Other keys and documents pass
// through unchanged.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import { checkGoTemplate, detectTemplateSyntax } from "./go-template/index.ts";
import { TemplateError } from "./template-error.ts";

export interface MigrationResult {
  yaml: string;
  warnings: string[];
  /** template.* keys whose sources changed (none: Go templates are executed as they are). */
  converted: string[];
}

const TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Checks every Go-template string inside one `template.<name>` value (YAML text) and returns the text unchanged.
 * Throws TemplateError listing every problem (field and line) when a template would not render as upstream.
 */
export function migrateTemplateEntry(name: string, text: string, warnings: string[]): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length)
    throw new TemplateError(name, undefined, `invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  const problems: string[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === "key" || typeof node.value !== "string") return;
      const field = fieldPath(path, key);
      let syntax: string;
      try {
        syntax = detectTemplateSyntax(node.value);
      } catch (err) {
        problems.push(`field "${field}": ${(err as Error).message}`);
        return;
      }
      if (syntax !== "go") return;
      for (const p of checkGoTemplate(node.value).problems)
        problems.push(`field "${field}" line ${p.line}: ${p.message}`);
    },
  });
  if (problems.length) throw new TemplateError(name, undefined, problems.join("; "));
  void warnings;
  return text;
}

function fieldPath(path: readonly unknown[], last: unknown): string {
  const parts: string[] = [];
  for (const p of path) {
    if (isPair(p) && isScalar(p.key)) parts.push(String(p.key.value));
  }
  if (typeof last === "number") parts.push(`[${last}]`);
  return parts.join(".").replace(/\.\[/g, "[");
}

function migrateConfigMapNode(node: YAMLMap, warnings: string[], converted: string[]): void {
  if ((node.get("kind") as unknown) !== "ConfigMap") return;
  const data = node.get("data", true);
  if (!isMap(data)) return;
  for (const pair of data.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string" || !pair.key.value.startsWith("template."))
      continue;
    if (!isScalar(pair.value) || typeof pair.value.value !== "string") continue;
    const name = pair.key.value.slice("template.".length);
    const before = pair.value.value;
    const after = migrateTemplateEntry(name, before, warnings);
    if (after !== before) {
      const scalar = new Scalar(after);
      scalar.type = Scalar.BLOCK_LITERAL;
      pair.value = scalar;
      converted.push(pair.key.value);
    }
  }
}

/** Migrates every ConfigMap in a YAML stream (a List's items too). Throws TemplateError naming template and construct. */
export function migrateConfigMapYaml(text: string): MigrationResult {
  const warnings: string[] = [];
  const converted: string[] = [];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error("no YAML documents");
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    const root = doc.contents;
    if (!isMap(root)) continue;
    if ((root.get("kind") as unknown) === "List") {
      const items = root.get("items", true);
      if (isSeq(items))
        for (const item of items.items) if (isMap(item)) migrateConfigMapNode(item, warnings, converted);
    } else migrateConfigMapNode(root, warnings, converted);
  }
  const yaml = docs.map((d) => d.toString(TO_STRING).replace(/^---\n/, "")).join("---\n");
  return { yaml, warnings, converted };
}
