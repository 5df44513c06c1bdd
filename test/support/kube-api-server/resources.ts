// The resources the test API server serves, with the per-resource rules the real API server applies.
// The Argo CRD facts (status subresource, short names) come from the CRDs in test/fixtures/argo-rollouts
// and argoproj/argo-rollouts manifests/crds: only Rollouts declare `subresources.status`; AnalysisRuns and
// Experiments declare `subresources: {}`, so their status is written through the main resource (and, as on a
// real server, that bumps metadata.generation).

export interface ServedResource {
  group: string; // "" for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `/status` subresource: main-resource writes keep the old status, status writes keep the rest. */
  statusSubresource: boolean;
  /** metadata.generation is set to 1 on create and bumped when anything but metadata (and, with a status
   * subresource, status) changes. Built-in ConfigMaps, Secrets, Namespaces and Leases carry no generation. */
  tracksGeneration: boolean;
  /** Custom resources: no strategic merge patch (415), pruned against the CRD schema when one is known. */
  custom: boolean;
  categories?: string[];
}

export const SERVED_RESOURCES: readonly ServedResource[] = [
  {
    group: "argoproj.io",
    version: "v1alpha1",
    plural: "rollouts",
    singular: "rollout",
    kind: "Rollout",
    namespaced: true,
    shortNames: ["ro"],
    statusSubresource: true,
    tracksGeneration: true,
    custom: true,
  },
  {
    group: "argoproj.io",
    version: "v1alpha1",
    plural: "analysisruns",
    singular: "analysisrun",
    kind: "AnalysisRun",
    namespaced: true,
    shortNames: ["ar"],
    statusSubresource: false,
    tracksGeneration: true,
    custom: true,
  },
  {
    group: "argoproj.io",
    version: "v1alpha1",
    plural: "experiments",
    singular: "experiment",
    kind: "Experiment",
    namespaced: true,
    shortNames: ["exp"],
    statusSubresource: false,
    tracksGeneration: true,
    custom: true,
  },
  {
    group: "",
    version: "v1",
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    statusSubresource: true,
    tracksGeneration: false,
    custom: false,
  },
  {
    group: "",
    version: "v1",
    plural: "configmaps",
    singular: "configmap",
    kind: "ConfigMap",
    namespaced: true,
    shortNames: ["cm"],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
  },
  {
    group: "",
    version: "v1",
    plural: "secrets",
    singular: "secret",
    kind: "Secret",
    namespaced: true,
    shortNames: [],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
  },
  {
    group: "",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    singular: "lease",
    kind: "Lease",
    namespaced: true,
    shortNames: [],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
  },
];

export function apiVersionOf(r: ServedResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function resourceId(r: ServedResource): string {
  return `${r.group}/${r.plural}`;
}

/** The resource for a kind ("Rollout") or plural ("rollouts"). */
export function findResource(kindOrPlural: string): ServedResource | undefined {
  return SERVED_RESOURCES.find((r) => r.kind === kindOrPlural || r.plural === kindOrPlural);
}

export function findResourceByApiVersionKind(apiVersion: string, kind: string): ServedResource | undefined {
  return SERVED_RESOURCES.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
}

export function resourcesOf(group: string, version: string): ServedResource[] {
  return SERVED_RESOURCES.filter((r) => r.group === group && r.version === version);
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of SERVED_RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** REST path of a collection (all namespaces when namespace is undefined). */
export function collectionPathOf(r: ServedResource, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace !== undefined
    ? `${base}/namespaces/${namespace}/${r.plural}`
    : `${base}/${r.plural}`;
}
