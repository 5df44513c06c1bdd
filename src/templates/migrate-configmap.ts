// `migrate`: rewrites the `template.*` keys of argo-rollouts-notification-configmap documents from Go templates
// to Handlebars, keeping every key, comment and block style; other keys and documents pass through unchanged.
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
import { convertGoTemplate } from "./go-template/convert.ts";
import { TemplateError } from "./template-error.ts";

export interface MigrationResult {
  yaml: string;
  warnings: string[];
  /** template.* keys whose sources changed. */
  converted: string[];
}

const TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Converts every Go-template string inside one `template.<name>` value (YAML text); returns the new text. A field
 * that cannot be converted stays as it is; its TemplateError goes to `failed` when given, else it is thrown.
 */
export function migrateTemplateEntry(
  name: string,
  text: string,
  warnings: string[],
  failed?: TemplateError[],
): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length)
    throw new TemplateError(name, undefined, `invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  let changed = false;
  visit(doc, {
    Scalar(key, node, path) {
      if (key === "key" || typeof node.value !== "string") return;
      const field = fieldPath(path, key);
      let out: ReturnType<typeof convertGoTemplate>;
      try {
        out = convertGoTemplate(node.value, name, field);
      } catch (err) {
        if (!failed || !(err instanceof TemplateError)) throw err;
        failed.push(err);
        return;
      }
      if (out.source !== node.value) {
        node.value = out.source;
        changed = true;
      }
      warnings.push(...out.warnings);
    },
  });
  return changed ? doc.toString(TO_STRING) : text;
}

function fieldPath(path: readonly unknown[], last: unknown): string {
  const parts: string[] = [];
  for (const p of path) {
    if (isPair(p) && isScalar(p.key)) parts.push(String(p.key.value));
  }
  if (typeof last === "number") parts.push(`[${last}]`);
  return parts.join(".").replace(/\.\[/g, "[");
}

function migrateConfigMapNode(
  node: YAMLMap,
  warnings: string[],
  converted: string[],
  failed?: TemplateError[],
): void {
  if ((node.get("kind") as unknown) !== "ConfigMap") return;
  const data = node.get("data", true);
  if (!isMap(data)) return;
  for (const pair of data.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string" || !pair.key.value.startsWith("template."))
      continue;
    if (!isScalar(pair.value) || typeof pair.value.value !== "string") continue;
    const name = pair.key.value.slice("template.".length);
    const before = pair.value.value;
    let after: string;
    try {
      after = migrateTemplateEntry(name, before, warnings, failed);
    } catch (err) {
      if (!failed || !(err instanceof TemplateError)) throw err;
      failed.push(err);
      continue;
    }
    if (after !== before) {
      const scalar = new Scalar(after);
      scalar.type = Scalar.BLOCK_LITERAL;
      pair.value = scalar;
      converted.push(pair.key.value);
    }
  }
}

/**
 * Migrates every ConfigMap in a YAML stream (a List's items too). Without `failed`, throws TemplateError naming
 * template and construct; with it, a template field that cannot be converted stays unchanged and is listed there.
 */
export function migrateConfigMapYaml(text: string, failed?: TemplateError[]): MigrationResult {
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
        for (const item of items.items)
          if (isMap(item)) migrateConfigMapNode(item, warnings, converted, failed);
    } else migrateConfigMapNode(root, warnings, converted, failed);
  }
  const yaml = docs.map((d) => d.toString(TO_STRING).replace(/^---\n/, "")).join("---\n");
  return { yaml, warnings, converted };
}
