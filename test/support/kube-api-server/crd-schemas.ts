// Structural-schema pruning of custom resources, as the real API server does on every write: fields the CRD
// schema does not declare are dropped (unless x-kubernetes-preserve-unknown-fields). The schemas are the real
// CRDs in test/fixtures/argo-rollouts/crds (Rollout, AnalysisRun). There is no Experiment CRD there,
// so Experiments are stored unpruned. Type/required validation is not done.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ARGO_FIXTURES_DIR } from "../argo-fixtures.ts";

export { ARGO_FIXTURES_DIR };

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  [k: string]: unknown;
}

export interface CrdInfo {
  group: string;
  kind: string;
  plural: string;
  version: string;
  schema: JsonSchema;
  subresources: Record<string, unknown>;
  printerColumns: { name: string; type: string; jsonPath: string; description?: string }[];
}

const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

let cached: Map<string, CrdInfo> | undefined;

/** CRDs found in the fixtures, by kind. */
export function loadFixtureCrds(dir = join(ARGO_FIXTURES_DIR, "crds")): Map<string, CrdInfo> {
  if (cached) return cached;
  const result = new Map<string, CrdInfo>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"));
  } catch {
    // no fixtures: serve unpruned
  }
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string; plural: string };
          versions: {
            name: string;
            storage?: boolean;
            schema?: { openAPIV3Schema?: JsonSchema };
            subresources?: Record<string, unknown>;
            additionalPrinterColumns?: CrdInfo["printerColumns"];
          }[];
        };
      } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
      const schema = version?.schema?.openAPIV3Schema;
      if (!version || !schema) continue;
      result.set(crd.spec.names.kind, {
        group: crd.spec.group,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        version: version.name,
        schema,
        subresources: version.subresources ?? {},
        printerColumns: version.additionalPrinterColumns ?? [],
      });
    }
  }
  cached = result;
  return result;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pruneValue(
  value: unknown,
  schema: JsonSchema | undefined,
  path: string,
  dropped: string[],
): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) {
    return schema.items ? value.map((v, i) => pruneValue(v, schema.items, `${path}[${i}]`, dropped)) : value;
  }
  if (!isPlainObject(value)) return value;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  const additional =
    typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const prop = schema.properties?.[key];
    if (prop) out[key] = pruneValue(v, prop, `${path}.${key}`, dropped);
    else if (additional) out[key] = pruneValue(v, additional, `${path}.${key}`, dropped);
    else if (preserve || schema.additionalProperties === true) out[key] = v;
    else if (embedded && (key === "apiVersion" || key === "kind" || key === "metadata")) out[key] = v;
    else dropped.push(`${path}.${key}`);
  }
  return out;
}

/**
 * Drops undeclared fields from a custom resource (metadata is pruned to ObjectMeta); the paths of dropped
 * fields (".spec.foo") are pushed to `dropped`.
 */
export function pruneToSchema<T extends object>(obj: T, schema: JsonSchema, dropped: string[] = []): T {
  const root = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(root)) {
    if (key === "apiVersion" || key === "kind") out[key] = v;
    else if (key === "metadata" && isPlainObject(v)) {
      out.metadata = Object.fromEntries(Object.entries(v).filter(([k]) => OBJECT_META_FIELDS.has(k)));
      for (const k of Object.keys(v)) if (!OBJECT_META_FIELDS.has(k)) dropped.push(`.metadata.${k}`);
    } else if (schema.properties?.[key]) out[key] = pruneValue(v, schema.properties[key], `.${key}`, dropped);
    else if (schema["x-kubernetes-preserve-unknown-fields"] === true) out[key] = v;
    else dropped.push(`.${key}`);
  }
  return out as T;
}
