// A Reflector's cache: compact objects (see compact-object.ts) by key ("namespace/name", or name when
// cluster-scoped), indexed by namespace ("" for cluster-scoped) so per-namespace lookups need no full scan.
// Reads return fresh KubeObject views whose spec/status are parsed only if read.
import type { KubeObject } from "../kube/objects.ts";
import { type CompactObject, compactObject, expandObject } from "./compact-object.ts";

export function cacheKeyOf(obj: Pick<KubeObject, "metadata">): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export class ObjectCache {
  private readonly byKey = new Map<string, CompactObject>();
  private readonly byNamespace = new Map<string, Map<string, CompactObject>>();

  get size(): number {
    return this.byKey.size;
  }

  /** Stores the object (compacted; the argument is not kept) and returns the view that reads the stored copy. */
  set(obj: KubeObject): KubeObject {
    return this.put(compactObject(obj));
  }

  /** Stores an already compacted object and returns a view of it. */
  put(compact: CompactObject): KubeObject {
    const key = cacheKeyOf(compact);
    this.byKey.set(key, compact);
    const ns = compact.metadata.namespace ?? "";
    let objects = this.byNamespace.get(ns);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(ns, objects);
    }
    objects.set(key, compact);
    return expandObject(compact);
  }

  /** Removes the object; returns the removed copy (as a view), if there was one. */
  delete(key: string): KubeObject | undefined {
    const compact = this.byKey.get(key);
    if (!compact) return undefined;
    this.byKey.delete(key);
    const ns = compact.metadata.namespace ?? "";
    const objects = this.byNamespace.get(ns);
    if (objects) {
      objects.delete(key);
      if (objects.size === 0) this.byNamespace.delete(ns);
    }
    return expandObject(compact);
  }

  get(key: string): KubeObject | undefined {
    const compact = this.byKey.get(key);
    return compact ? expandObject(compact) : undefined;
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  values(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const compact of this.byKey.values()) out.push(expandObject(compact));
    return out;
  }

  valuesIn(namespace: string): KubeObject[] {
    const objects = this.byNamespace.get(namespace);
    const out: KubeObject[] = [];
    if (objects) for (const compact of objects.values()) out.push(expandObject(compact));
    return out;
  }
}
