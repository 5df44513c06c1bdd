// What a transition carries about its object: a reference, and the object as detected minus managedFields.
import type { KubeObject } from "../kube/objects.ts";
import type { ObjectRef } from "./transition.ts";

export function objectRefOf(obj: KubeObject): ObjectRef {
  return {
    kind: obj.kind ?? "",
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    uid: obj.metadata.uid ?? "",
  };
}

/** The object without `metadata.managedFields` (noise, and large). The input is not modified. */
export function snapshotOf(obj: KubeObject): KubeObject {
  const metadata = obj.metadata as KubeObject["metadata"] & { managedFields?: unknown };
  if (metadata.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...obj, metadata: rest };
}

/** Reads a dotted path of plain-object fields; undefined when any step is missing or not an object. */
export function fieldAt(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function stringAt(obj: unknown, ...path: string[]): string | undefined {
  const v = fieldAt(obj, ...path);
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Numbers, also the string-encoded ones some fields carry (observedGeneration is a string in Rollouts). */
export function numberAt(obj: unknown, ...path: string[]): number | undefined {
  const v = fieldAt(obj, ...path);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}
