// An in-memory stand-in for etcd behind the API server: one global, monotonically increasing revision
// (metadata.resourceVersion), an ordered event history from which watches replay, compaction (older
// revisions become "too old": 410 Expired), and snapshots of any retained revision (for consistent paged
// lists: every page of a list is served from the revision of its first page, like etcd range reads).
import type { KubeObject } from "../../../src/kube/objects.ts";
import { resourceId, type ServedResource } from "./resources.ts";
import { expired } from "./status-errors.ts";

export type StoredEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  rv: number;
  resource: ServedResource;
  type: StoredEventType;
  /** The object after the change; for DELETED the last state with metadata.resourceVersion = rv. */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: KubeObject;
}

export type StoredEventListener = (event: StoredEvent) => void;

export function storeKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class VersionedStore {
  private rv: number;
  private compactedRv: number;
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private history: StoredEvent[] = [];
  private readonly listeners = new Set<StoredEventListener>();
  /** Events retained for watches; older ones are compacted away automatically. */
  historyLimit: number;

  constructor(opts: { initialResourceVersion?: number; historyLimit?: number } = {}) {
    this.rv = opts.initialResourceVersion ?? 1;
    this.compactedRv = this.rv;
    this.historyLimit = opts.historyLimit ?? 10_000;
  }

  /** The latest revision (what a list without resourceVersion reports). */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Watches and snapshots need a revision >= this one. */
  get compactedResourceVersion(): number {
    return this.compactedRv;
  }

  private table(r: ServedResource): Map<string, KubeObject> {
    const id = resourceId(r);
    let t = this.byResource.get(id);
    if (!t) {
      t = new Map();
      this.byResource.set(id, t);
    }
    return t;
  }

  /** A copy of the current object, or undefined. */
  get(r: ServedResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.table(r).get(storeKey(namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  /** Throws 410 Expired when `rv` is older than the retained history. */
  assertRetained(rv: number, what = "resource version"): void {
    if (rv < this.compactedRv) throw expired(`too old ${what}: ${rv} (${this.compactedRv})`);
  }

  /** Copies of the objects of one resource as of revision `atRv` (default: latest), sorted by key. */
  snapshot(r: ServedResource, atRv?: number): KubeObject[] {
    const state = new Map(this.table(r));
    if (atRv !== undefined && atRv < this.rv) {
      this.assertRetained(atRv);
      const id = resourceId(r);
      for (let i = this.history.length - 1; i >= 0; i--) {
        const e = this.history[i]!;
        if (e.rv <= atRv) break;
        if (resourceId(e.resource) !== id) continue;
        const key = storeKey(e.object.metadata.namespace, e.object.metadata.name);
        if (e.type === "ADDED") state.delete(key);
        else if (e.previous) state.set(key, e.previous);
      }
    }
    return [...state.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => structuredClone(obj));
  }

  /** Events of one resource with rv > `afterRv`; 410 Expired when that part of history was compacted. */
  eventsAfter(r: ServedResource, afterRv: number): StoredEvent[] {
    this.assertRetained(afterRv);
    const id = resourceId(r);
    return this.history.filter((e) => e.rv > afterRv && resourceId(e.resource) === id);
  }

  /**
   * Writes a change at the next revision and tells every watcher. `object` must already carry all
   * server-set fields except resourceVersion, which is assigned here.
   */
  commit(r: ServedResource, type: StoredEventType, object: KubeObject): StoredEvent {
    const table = this.table(r);
    const key = storeKey(object.metadata.namespace, object.metadata.name);
    const previous = table.get(key);
    this.rv += 1;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(this.rv);
    if (type === "DELETED") table.delete(key);
    else table.set(key, stored);
    const event: StoredEvent = { rv: this.rv, resource: r, type, object: stored };
    if (previous) event.previous = previous;
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Forgets history up to `upToRv` (default: everything): watches/lists from older revisions get 410. */
  compact(upToRv: number = this.rv): void {
    const target = Math.min(upToRv, this.rv);
    if (target <= this.compactedRv) return;
    this.history = this.history.filter((e) => e.rv > target);
    this.compactedRv = target;
  }

  subscribe(listener: StoredEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
