// A list+watch loop for one resource in one scope (all namespaces or one), after client-go's Reflector:
// - lists in pages (limit/continue), then watches from the list's resourceVersion with bookmarks;
// - a watch that ends normally (timeoutSeconds, server close) resumes from the last resourceVersion seen;
// - a watch error or dropped connection resumes after an exponential backoff with jitter;
// - 410 Gone / Expired relists: objects in the new list are re-emitted as LISTED (consumers compare them
//   against saved state, so nothing fires twice) and objects gone from it are emitted as DELETED;
// - a periodic resync re-emits the cache as LISTED.
// Objects are trimmed before they are cached and emitted.
import type { KubeConfig } from "@kubernetes/client-node";
import { Watch } from "@kubernetes/client-node/dist/watch.js";
import type { KubeObject } from "../kube/objects.ts";
import type { Logger } from "../logger.ts";
import { kubeRequest } from "./kube-http.ts";
import { collectionPath, type ResourceDescriptor } from "./resources.ts";
import { trimObject } from "./trim.ts";

export type ReflectorEventType = "LISTED" | "ADDED" | "MODIFIED" | "DELETED";

export interface ReflectorEvent {
  type: ReflectorEventType;
  object: KubeObject;
  /** true for objects of the first list after start: consumers treat unknown ones as a baseline. */
  initial: boolean;
}

export interface ReflectorOptions {
  kc: KubeConfig;
  resource: ResourceDescriptor;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent: (event: ReflectorEvent) => void;
  /** Called after each complete list (initial and relists), with the keys (namespace/name) listed. */
  onListed?: (keys: Set<string>, initial: boolean) => void;
  logger: Logger;
  onRestart?: (reason: string) => void;
  pageSize?: number;
  /**
   * Awaited after every `listBatch` (default 1,000) events of a list before the next ones are emitted: a consumer
   * that queues work per event (the watcher) holds a bounded backlog while a list of 40,000 objects is emitted,
   * instead of one queued event per object.
   */
  drain?: () => Promise<void>;
  listBatch?: number;
  /**
   * Also index the cached objects by the uid of each owner reference (`listOwnedBy`): the AnalysisRuns of one
   * Rollout without scanning every run of its namespace for each planned notification.
   */
  indexOwners?: boolean;
  resyncMs?: number;
  watchTimeoutSeconds?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface ListResponse {
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export class Reflector {
  private readonly opts: ReflectorOptions;
  private readonly cache = new Map<string, KubeObject>();
  /** The same objects by namespace ("" for cluster-scoped): per-namespace lookups without a full scan. */
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  /** With `indexOwners`: the same objects by owner uid (small arrays: an owner has a handful). */
  private readonly byOwner = new Map<string, KubeObject[]>();
  private lastResourceVersion: string | undefined;
  private stopped = false;
  private watchAbort: AbortController | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private hasSynced = false;
  private syncedResolve!: () => void;
  /** Resolves once the first list has been emitted. */
  readonly synced: Promise<void>;

  constructor(opts: ReflectorOptions) {
    this.opts = opts;
    this.backoffMs = opts.minBackoffMs ?? 200;
    this.synced = new Promise((resolve) => {
      this.syncedResolve = resolve;
    });
  }

  get resource(): ResourceDescriptor {
    return this.opts.resource;
  }

  get isSynced(): boolean {
    return this.hasSynced;
  }

  /** The cached (trimmed) objects. */
  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** The cached (trimmed) objects of one namespace. */
  listIn(namespace: string): KubeObject[] {
    const objects = this.byNamespace.get(namespace);
    return objects ? [...objects.values()] : [];
  }

  /** The cached objects of one namespace owned by `ownerUid` (needs `indexOwners`). */
  listOwnedBy(namespace: string, ownerUid: string): KubeObject[] {
    const owned = this.byOwner.get(ownerUid);
    if (!owned) return [];
    return owned.filter((o) => (o.metadata.namespace ?? "") === namespace);
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  private cacheSet(key: string, obj: KubeObject): void {
    if (this.opts.indexOwners) {
      const prev = this.cache.get(key);
      if (prev) this.unindexOwners(prev);
      this.indexOwners(obj);
    }
    this.cache.set(key, obj);
    const ns = obj.metadata.namespace ?? "";
    let objects = this.byNamespace.get(ns);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(ns, objects);
    }
    objects.set(key, obj);
  }

  private cacheDelete(key: string, obj: KubeObject): void {
    if (this.opts.indexOwners) this.unindexOwners(this.cache.get(key) ?? obj);
    this.cache.delete(key);
    const ns = obj.metadata.namespace ?? "";
    const objects = this.byNamespace.get(ns);
    if (!objects) return;
    objects.delete(key);
    if (objects.size === 0) this.byNamespace.delete(ns);
  }

  private indexOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (typeof ref?.uid !== "string") continue;
      const owned = this.byOwner.get(ref.uid);
      if (owned) {
        if (!owned.includes(obj)) owned.push(obj);
      } else this.byOwner.set(ref.uid, [obj]);
    }
  }

  private unindexOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (typeof ref?.uid !== "string") continue;
      const owned = this.byOwner.get(ref.uid);
      if (!owned) continue;
      const i = owned.indexOf(obj);
      if (i >= 0) owned.splice(i, 1);
      if (owned.length === 0) this.byOwner.delete(ref.uid);
    }
  }

  start(): void {
    void this.listAndWatch(true);
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.watchAbort?.abort();
  }

  /** Test/ops hook: abort the current watch (it resumes from the last resourceVersion). */
  dropWatch(): void {
    this.watchAbort?.abort();
  }

  private get path(): string {
    return collectionPath(this.opts.resource, this.opts.namespace);
  }

  private resync(): void {
    if (!this.hasSynced || this.stopped) return;
    for (const obj of this.cache.values()) this.opts.onEvent({ type: "LISTED", object: obj, initial: false });
  }

  private async listAndWatch(initial: boolean): Promise<void> {
    while (!this.stopped) {
      try {
        await this.relist(initial && !this.hasSynced);
        this.backoffMs = this.opts.minBackoffMs ?? 200;
        await this.watchLoop();
        return;
      } catch (err) {
        if (this.stopped) return;
        this.opts.logger.warn(
          { resource: this.opts.resource.plural, namespace: this.opts.namespace, err: String(err) },
          "list failed; retrying",
        );
        this.opts.onRestart?.("list-error");
        await this.sleepBackoff();
      }
    }
  }

  private async relist(initial: boolean): Promise<void> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await kubeRequest<ListResponse>(this.opts.kc, "GET", this.path, {
        query: {
          limit: this.opts.pageSize ?? 500,
          continue: cont,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
        },
      });
      for (const item of page.items ?? []) {
        items.push(
          trimObject({
            ...item,
            apiVersion: item.apiVersion ?? this.apiVersion,
            kind: item.kind ?? this.opts.resource.kind,
          }),
        );
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion;
    } while (cont && !this.stopped);
    if (this.stopped) return;

    const listed = new Set<string>();
    const batch = this.opts.listBatch ?? 1_000;
    for (let i = 0; i < items.length; i++) {
      const obj = items[i]!;
      const key = keyOf(obj);
      listed.add(key);
      this.cacheSet(key, obj);
      this.opts.onEvent({ type: "LISTED", object: obj, initial });
      if (this.opts.drain && (i + 1) % batch === 0) {
        await this.opts.drain();
        if (this.stopped) return;
      }
    }
    for (const [key, obj] of this.cache) {
      if (!listed.has(key)) {
        this.cacheDelete(key, obj);
        this.opts.onEvent({ type: "DELETED", object: obj, initial: false });
      }
    }
    this.lastResourceVersion = rv;
    this.opts.onListed?.(listed, initial);
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  private get apiVersion(): string {
    const r = this.opts.resource;
    return r.group ? `${r.group}/${r.version}` : r.version;
  }

  /** Watches until stopped; relists on 410. */
  private async watchLoop(): Promise<void> {
    while (!this.stopped) {
      const outcome = await this.watchOnce();
      if (this.stopped) return;
      if (outcome === "expired") {
        this.opts.logger.info(
          { resource: this.opts.resource.plural, namespace: this.opts.namespace },
          "watch expired; relisting",
        );
        this.opts.onRestart?.("expired");
        try {
          await this.relist(false);
          this.backoffMs = this.opts.minBackoffMs ?? 200;
        } catch (err) {
          this.opts.logger.warn(
            { resource: this.opts.resource.plural, err: String(err) },
            "relist failed; retrying",
          );
          await this.sleepBackoff();
        }
      } else if (outcome === "error") {
        this.opts.onRestart?.("watch-error");
        await this.sleepBackoff();
      }
      // "closed": resume at once from the last resourceVersion
    }
  }

  private watchOnce(): Promise<"closed" | "error" | "expired"> {
    return new Promise((resolve) => {
      let expired = false;
      let sawEvent = false;
      const watch = new Watch(this.opts.kc);
      // The server sends bookmarks; allow a quiet stream a little longer than the server-side timeout.
      const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 60);
      // client-node aborts a watch after 30 s without data (a private field); quiet watches are normal here.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = (timeoutSeconds + 30) * 1000;
      const done = (err: unknown) => {
        if (expired) return resolve("expired");
        if (err && !this.stopped) {
          const code = (err as { statusCode?: number }).statusCode;
          if (code === 410) return resolve("expired");
          if (!(err instanceof Error && err.name === "AbortError")) {
            this.opts.logger.warn(
              { resource: this.opts.resource.plural, namespace: this.opts.namespace, err: String(err) },
              "watch ended with error",
            );
          }
          return resolve(sawEvent ? "closed" : "error");
        }
        resolve("closed");
      };
      watch
        .watch(
          this.path,
          {
            resourceVersion: this.lastResourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
          },
          (type: string, raw: KubeObject) => {
            sawEvent = true;
            if (type === "ERROR") {
              const status = raw as unknown as { code?: number; reason?: string };
              if (status.code === 410 || status.reason === "Expired" || status.reason === "Gone") {
                expired = true;
                this.watchAbort?.abort();
              }
              return;
            }
            const rv = raw?.metadata?.resourceVersion;
            if (type === "BOOKMARK") {
              if (rv) this.lastResourceVersion = rv;
              return;
            }
            if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return;
            const obj = trimObject({
              ...raw,
              apiVersion: raw.apiVersion ?? this.apiVersion,
              kind: raw.kind ?? this.opts.resource.kind,
            });
            const key = keyOf(obj);
            if (type === "DELETED") this.cacheDelete(key, obj);
            else this.cacheSet(key, obj);
            if (rv) this.lastResourceVersion = rv;
            this.backoffMs = this.opts.minBackoffMs ?? 200;
            this.opts.onEvent({ type, object: obj, initial: false });
          },
          done,
        )
        .then((ctrl) => {
          this.watchAbort = ctrl;
          if (this.stopped) ctrl.abort();
        })
        .catch(done);
    });
  }

  private async sleepBackoff(): Promise<void> {
    const max = this.opts.maxBackoffMs ?? 30_000;
    const delay = this.backoffMs / 2 + (Math.random() * this.backoffMs) / 2;
    this.backoffMs = Math.min(max, this.backoffMs * 2);
    await new Promise((r) => setTimeout(r, delay).unref());
  }
}
