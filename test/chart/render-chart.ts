// Renders charts/rollouts-notifier with the real helm and parses the manifests, for the chart tests.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { type HelmResult, runHelm } from "../support/helm.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = join(REPO_ROOT, "charts", "rollouts-notifier");
export const RELEASE = "rn";
export const NAMESPACE = "notifier";
export const FULLNAME = "rn-rollouts-notifier";

/** Values that point the service at an external Redis (which turns the embedded one off): the baseline of the
 * chart tests that are about something else. The chart's own defaults (no values) run an embedded Redis. */
export const MINIMAL_VALUES = { redis: { url: "redis://redis.example:6379" } };

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are free-form; tests navigate them directly
export type Manifest = Record<string, any>;

/** Runs helm with a values file written from `values` (so no --set escaping surprises). */
export function helmWithValues(args: string[], values: unknown): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), "rn-chart-"));
  try {
    const file = join(dir, "values.yaml");
    writeFileSync(file, stringify(values));
    return runHelm([...args, "-f", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function helmTemplate(values: unknown): HelmResult {
  return helmWithValues(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE], values);
}

/** Renders and parses; throws with helm's stderr when rendering fails or a document is not valid YAML. */
export function renderChart(values: unknown): Manifest[] {
  const res = helmTemplate(values);
  if (res.status !== 0) throw new Error(`helm template failed (${res.status}):\n${res.stderr}`);
  return parseManifests(res.stdout);
}

export function parseManifests(text: string): Manifest[] {
  return renderedDocuments(text).map((d) => d.manifest);
}

/** Each document of helm's output, parsed, with its YAML as helm wrote it (scalar quoting kept: Go's YAML 1.1
 * reads an unquoted `yes` as a boolean). */
export function renderedDocuments(text: string): { manifest: Manifest; yaml: string }[] {
  const out: { manifest: Manifest; yaml: string }[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML in rendered chart: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as Manifest | null;
    if (obj) out.push({ manifest: obj, yaml: doc.toString() });
  }
  return out;
}

/** Renders and returns the documents with their YAML text. */
export function renderChartDocuments(values: unknown): { manifest: Manifest; yaml: string }[] {
  const res = helmTemplate(values);
  if (res.status !== 0) throw new Error(`helm template failed (${res.status}):\n${res.stderr}`);
  return renderedDocuments(res.stdout);
}

export function find(manifests: Manifest[], kind: string, name?: string, namespace?: string): Manifest {
  const found = findAll(manifests, kind).filter(
    (m) =>
      (name === undefined || m.metadata?.name === name) &&
      (namespace === undefined || m.metadata?.namespace === namespace),
  );
  if (found.length !== 1) {
    const have = manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(", ");
    throw new Error(
      `expected one ${kind}${name ? `/${name}` : ""}, found ${found.length} (rendered: ${have})`,
    );
  }
  return found[0]!;
}

export function findAll(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

export function container(deployment: Manifest): Manifest {
  return deployment.spec.template.spec.containers[0];
}

/** Environment of a container as name → value (valueFrom entries map to their source object). */
export function envOf(c: Manifest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of c.env ?? []) out[e.name] = e.value ?? e.valueFrom;
  return out;
}

/** Env var names from the table in docs/settings.md (the contract between the CLI and the chart). */
export function settingsEnvNames(markdown: string): string[] {
  const names: string[] = [];
  for (const line of markdown.split("\n")) {
    const m = /^\|\s*(?:`--[^`]+`|\(none\))\s*\|\s*`([A-Z_]+)`\s*\|/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}
