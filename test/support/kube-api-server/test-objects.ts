// The programmatic API tests use to write cluster state directly. Every call goes through the same write
// rules and store as HTTP requests, so watchers see exactly the events a real controller's writes produce.
// Differences from HTTP, for convenience: a missing namespace is created (HTTP answers 404), update() without
// metadata.resourceVersion is unconditional, and load() can seed a fixture with its status in one write.
import type { KubeObject } from "../../../src/kube/objects.ts";
import type { ApiObjects } from "./api-objects.ts";
import { listObjects } from "./list.ts";
import { JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from "./patch.ts";
import { findResource, findResourceByApiVersionKind, type ServedResource } from "./resources.ts";
import { badRequest } from "./status-errors.ts";

export interface ObjectRef {
  /** Kind ("Rollout") or plural ("rollouts"). */
  kind: string;
  namespace?: string;
  name: string;
}

export type PatchType = "merge" | "json" | "strategic";

const CONTENT_TYPES: Record<PatchType, string> = {
  merge: MERGE_PATCH,
  json: JSON_PATCH,
  strategic: STRATEGIC_MERGE_PATCH,
};

function resourceFor(kindOrObject: string | KubeObject): ServedResource {
  if (typeof kindOrObject === "string") {
    const r = findResource(kindOrObject);
    if (!r) throw badRequest(`kind "${kindOrObject}" is not served by the test API server`);
    return r;
  }
  const { apiVersion, kind } = kindOrObject;
  const r = apiVersion ? findResourceByApiVersionKind(apiVersion, kind ?? "") : findResource(kind ?? "");
  if (!r) throw badRequest(`${apiVersion ?? "?"} ${kind ?? "?"} is not served by the test API server`);
  return r;
}

export class TestObjects {
  private readonly objects: ApiObjects;

  constructor(objects: ApiObjects) {
    this.objects = objects;
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.objects.store.resourceVersion);
  }

  /**
   * Like POST: server-set metadata; a custom resource with a status subresource loses its status. A given
   * metadata.resourceVersion is ignored (over HTTP it is a 500, as on a real server).
   */
  create<T extends KubeObject>(obj: T): T {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const body = { ...obj, metadata };
    return this.objects.create(resourceFor(obj), obj.metadata.namespace, body, {
      createNamespace: true,
    }) as T;
  }

  /**
   * Seeds an object as a controller left it, in one write (one ADDED or MODIFIED event): status is kept, as are
   * uid, creationTimestamp and generation when given; only resourceVersion is (re)assigned.
   */
  load<T extends KubeObject>(obj: T): T {
    const r = resourceFor(obj);
    const opts = { createNamespace: true, keepStatus: true, preserveMetadata: true };
    const existing = this.objects.store.get(
      r,
      r.namespaced ? obj.metadata.namespace : undefined,
      obj.metadata.name,
    );
    if (!existing) return this.objects.create(r, obj.metadata.namespace, obj, opts) as T;
    const body = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: existing.metadata.resourceVersion },
    };
    return this.objects.update(r, obj.metadata.namespace, obj.metadata.name, body, opts) as T;
  }

  /** Like PUT (status of a status-subresource kind is kept); without resourceVersion it is unconditional. */
  update<T extends KubeObject>(obj: T): T {
    const r = resourceFor(obj);
    return this.objects.update(r, obj.metadata.namespace, obj.metadata.name, this.withRv(r, obj)) as T;
  }

  /**
   * Writes only the status, as a controller does: through /status for Rollouts, through the main resource
   * for kinds without the subresource (AnalysisRun, Experiment), which also bumps generation, as on a real server.
   */
  updateStatus<T extends KubeObject>(obj: T): T {
    const r = resourceFor(obj);
    const current = this.objects.get(r, obj.metadata.namespace, obj.metadata.name);
    if (r.statusSubresource) {
      return this.objects.update(r, obj.metadata.namespace, obj.metadata.name, this.withRv(r, obj), {
        subresource: "status",
      }) as T;
    }
    const body = { ...current, status: obj.status };
    if (obj.metadata.resourceVersion)
      body.metadata = { ...body.metadata, resourceVersion: obj.metadata.resourceVersion };
    if (obj.status === undefined) delete body.status;
    return this.objects.update(r, obj.metadata.namespace, obj.metadata.name, body) as T;
  }

  patch(ref: ObjectRef, patch: unknown, type: PatchType = "merge"): KubeObject {
    return this.objects.patch(resourceFor(ref.kind), ref.namespace, ref.name, patch, CONTENT_TYPES[type]);
  }

  /** Patches status (merge patch by default): /status for Rollouts, the main resource otherwise. */
  patchStatus(ref: ObjectRef, statusPatch: unknown, type: PatchType = "merge"): KubeObject {
    const r = resourceFor(ref.kind);
    if (r.statusSubresource) {
      return this.objects.patch(r, ref.namespace, ref.name, statusPatch, CONTENT_TYPES[type], {
        subresource: "status",
      });
    }
    return this.objects.patch(r, ref.namespace, ref.name, statusPatch, CONTENT_TYPES[type]);
  }

  delete(ref: ObjectRef): KubeObject {
    return this.objects.delete(resourceFor(ref.kind), ref.namespace, ref.name);
  }

  get(ref: ObjectRef): KubeObject {
    return this.objects.get(resourceFor(ref.kind), ref.namespace, ref.name);
  }

  tryGet(ref: ObjectRef): KubeObject | undefined {
    const r = resourceFor(ref.kind);
    return this.objects.store.get(r, r.namespaced ? ref.namespace : undefined, ref.name);
  }

  list(kind: string, namespace?: string, labelSelector?: string): KubeObject[] {
    const q = labelSelector ? { labelSelector } : {};
    const r = resourceFor(kind);
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    return listObjects(this.objects.store, r, namespace, q).items.map((o) => ({
      apiVersion,
      kind: r.kind,
      ...o,
    }));
  }

  private withRv(r: ServedResource, obj: KubeObject): KubeObject {
    if (obj.metadata.resourceVersion) return obj;
    const current = this.objects.get(r, obj.metadata.namespace, obj.metadata.name);
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } };
  }
}
