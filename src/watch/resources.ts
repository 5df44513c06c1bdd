// The Kubernetes resources the watcher lists and watches.

export interface ResourceDescriptor {
  kind: string;
  group: string; // "" for core
  version: string;
  plural: string;
  namespaced: boolean;
}

export const ROLLOUTS: ResourceDescriptor = {
  kind: "Rollout",
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "rollouts",
  namespaced: true,
};
export const ANALYSIS_RUNS: ResourceDescriptor = {
  kind: "AnalysisRun",
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "analysisruns",
  namespaced: true,
};
export const EXPERIMENTS: ResourceDescriptor = {
  kind: "Experiment",
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "experiments",
  namespaced: true,
};
export const NAMESPACES: ResourceDescriptor = {
  kind: "Namespace",
  group: "",
  version: "v1",
  plural: "namespaces",
  namespaced: false,
};
export const CONFIGMAPS: ResourceDescriptor = {
  kind: "ConfigMap",
  group: "",
  version: "v1",
  plural: "configmaps",
  namespaced: true,
};
export const SECRETS: ResourceDescriptor = {
  kind: "Secret",
  group: "",
  version: "v1",
  plural: "secrets",
  namespaced: true,
};
export const LEASES: ResourceDescriptor = {
  kind: "Lease",
  group: "coordination.k8s.io",
  version: "v1",
  plural: "leases",
  namespaced: true,
};

/** REST path of a collection, e.g. /apis/argoproj.io/v1alpha1/namespaces/ns/rollouts. */
export function collectionPath(r: ResourceDescriptor, namespace?: string): string {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
}

export function objectPath(r: ResourceDescriptor, name: string, namespace?: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}
