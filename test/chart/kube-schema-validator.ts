// Offline structural validation of Kubernetes manifests against the API types generated into
// @kubernetes/client-node (from the Kubernetes OpenAPI spec): every field must exist in its type (like the API
// server's strict field validation) and carry the right JSON type. Required fields and enums are not known to
// the generated models, so they are not checked here.
import * as k8s from "@kubernetes/client-node";

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

const models = k8s as unknown as Record<string, unknown>;

/** "apps/v1" + "Deployment" → "V1Deployment"; "autoscaling/v2" + "HorizontalPodAutoscaler" → "V2HorizontalPodAutoscaler". */
export function modelNameFor(apiVersion: string, kind: string): string {
  const version = apiVersion.split("/").pop() ?? apiVersion;
  return `${version[0]!.toUpperCase()}${version.slice(1)}${kind}`;
}

function modelClass(name: string): ModelClass | undefined {
  const m = models[name] as Partial<ModelClass> | undefined;
  return typeof m?.getAttributeTypeMap === "function" ? (m as ModelClass) : undefined;
}

/** Whether the generated client knows this kind (false for CRDs such as ServiceMonitor). */
export function isBuiltinKind(apiVersion: string, kind: string): boolean {
  return modelClass(modelNameFor(apiVersion, kind)) !== undefined;
}

/** Problems found in one manifest, each naming the JSON path; empty when valid. */
export function validateManifest(obj: Record<string, unknown>): string[] {
  const apiVersion = String(obj.apiVersion ?? "");
  const kind = String(obj.kind ?? "");
  const where = `${kind}/${(obj.metadata as { name?: string } | undefined)?.name ?? "?"}`;
  const model = modelNameFor(apiVersion, kind);
  if (!modelClass(model)) return [`${where}: no API type ${model} for ${apiVersion} ${kind}`];
  const problems: string[] = [];
  check(obj, model, "", "", problems);
  return problems.map((p) => `${where}: ${p}`);
}

function check(value: unknown, type: string, format: string, path: string, problems: string[]): void {
  const at = path || "(root)";
  if (value === null || value === undefined) return;
  if (type === "any" || type === "object") return;
  if (type === "string") {
    if (typeof value !== "string") problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
    return;
  }
  if (type === "Date") {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) problems.push(`${at}: expected a date`);
    return;
  }
  if (type === "number") {
    if (typeof value !== "number") problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
    else if (format.startsWith("int") && !Number.isInteger(value))
      problems.push(`${at}: expected an integer`);
    return;
  }
  if (type === "boolean") {
    if (typeof value !== "boolean") problems.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
    return;
  }
  if (type === "IntOrString") {
    if (typeof value !== "string" && !Number.isInteger(value)) problems.push(`${at}: expected int or string`);
    return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) {
      problems.push(`${at}: expected an array`);
      return;
    }
    value.forEach((v, i) => {
      check(v, array[1]!, "", `${path}[${i}]`, problems);
    });
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${at}: expected a map`);
      return;
    }
    for (const [k, v] of Object.entries(value)) check(v, map[1]!, "", `${path}.${k}`, problems);
    return;
  }
  const cls = modelClass(type);
  if (!cls) {
    // enums are generated as string unions named *Enum; anything else unknown is skipped, not guessed
    if (type.endsWith("Enum") && typeof value !== "string") problems.push(`${at}: expected a string`);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${at}: expected an object (${type})`);
    return;
  }
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a]));
  for (const [k, v] of Object.entries(value)) {
    const attr = attrs.get(k);
    if (!attr) {
      problems.push(`${path ? `${path}.` : ""}${k}: unknown field (not in ${type})`);
      continue;
    }
    check(v, attr.type, attr.format, path ? `${path}.${k}` : k, problems);
  }
}
