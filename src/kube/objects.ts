// The Kubernetes object shapes this service reads. Only the fields we use are typed; the rest pass through.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

/** Kinds the service understands. */
export const KNOWN_KINDS = [
  "Rollout",
  "AnalysisRun",
  "Experiment",
  "Namespace",
  "ConfigMap",
  "Secret",
] as const;
export type KnownKind = (typeof KNOWN_KINDS)[number];

export function isKnownKind(kind: unknown): kind is KnownKind {
  return typeof kind === "string" && (KNOWN_KINDS as readonly string[]).includes(kind);
}

/** "namespace/name", the key used in logs and caches. */
export function objectKey(obj: { metadata: ObjectMeta }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export const REVISION_ANNOTATION = "rollout.argoproj.io/revision";
