// The write rules of the real API server on top of the versioned store: server-set metadata (uid,
// creationTimestamp, resourceVersion, generation), optimistic concurrency (409 Conflict), the status
// subresource split, no-op writes that change nothing (no new resourceVersion, no watch event), finalizers,
// NamespaceLifecycle (404 for a missing namespace), Secret stringData, and CRD pruning.
// Both the HTTP handler and the programmatic test API go through this class.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { type JsonSchema, loadFixtureCrds, pruneToSchema } from "./crd-schemas.ts";
import {
  APPLY_PATCH,
  applyJsonPatch,
  applyMergePatch,
  JSON_PATCH,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
} from "./patch.ts";
import { apiVersionOf, findResource, type ServedResource } from "./resources.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  KubeStatusError,
  namespaceNotFound,
  notFound,
  statusFailure,
  unsupportedMediaType,
} from "./status-errors.ts";
import type { VersionedStore } from "./versioned-store.ts";

export interface WriteOptions {
  /** Write to the `/status` subresource. */
  subresource?: "status";
  /** dryRun=All: validate and answer without storing. */
  dryRun?: boolean;
  /** Programmatic API only: keep the status given on create (as if the controller had written it). */
  keepStatus?: boolean;
  /** Programmatic API only: keep uid, creationTimestamp and generation given in the object (a fixture
   * written by a real controller, served as it was). */
  preserveMetadata?: boolean;
  /** Programmatic API only: create a missing namespace instead of answering 404. */
  createNamespace?: boolean;
  fieldManager?: string;
  /** fieldValidation: Strict rejects unknown fields (400), Warn reports them via `warnings`, Ignore drops them. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** Filled with warnings (unknown fields) for the Warning response header. */
  warnings?: string[];
}

const NAMESPACE = findResource("Namespace")!;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "2026-01-02T03:04:05.123Z" → "2026-01-02T03:04:05.123000Z" (metav1.MicroTime). */
function toMicroTime(value: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return value;
  const iso = new Date(Date.parse(value)).toISOString().slice(0, 19);
  return `${iso}.${(m[2] ?? "").padEnd(6, "0").slice(0, 6)}Z`;
}

function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Everything but metadata (and status when it is a subresource): what bumps metadata.generation. */
function generationRelevant(obj: KubeObject, r: ServedResource): Record<string, unknown> {
  const { metadata: _m, ...rest } = obj as unknown as Record<string, unknown>;
  if (r.statusSubresource) delete rest.status;
  return rest;
}

export class ApiObjects {
  readonly store: VersionedStore;
  private readonly schemas = new Map<string, JsonSchema>();

  constructor(store: VersionedStore) {
    this.store = store;
    for (const [kind, crd] of loadFixtureCrds()) this.schemas.set(kind, crd.schema);
  }

  get(r: ServedResource, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(r, r.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(r, name);
    return obj;
  }

  private assertNamespace(r: ServedResource, namespace: string | undefined, opts: WriteOptions): void {
    if (!r.namespaced) return;
    if (!namespace) throw badRequest(`the namespace of the ${r.kind} is required`);
    if (this.store.get(NAMESPACE, undefined, namespace)) return;
    if (!opts.createNamespace) throw namespaceNotFound(namespace);
    this.create(NAMESPACE, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  }

  private checkTypeMeta(r: ServedResource, body: KubeObject): void {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw badRequest(`the body of the request must be a ${r.kind} object`);
    }
    if (!body.metadata || typeof body.metadata !== "object") body.metadata = { name: "" };
    const apiVersion = apiVersionOf(r);
    if (body.apiVersion === undefined) body.apiVersion = apiVersion;
    if (body.kind === undefined) body.kind = r.kind;
    if (body.apiVersion !== apiVersion || body.kind !== r.kind) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersion}) or the kind (${body.kind}) is not ${r.kind}`,
      );
    }
  }

  /** Common normalisation of every stored object. */
  private normalize(r: ServedResource, obj: KubeObject, opts: WriteOptions): KubeObject {
    let out = obj;
    if (r.kind === "Secret") {
      const secret = out as KubeObject & { type?: string };
      if (secret.stringData) {
        secret.data = { ...(secret.data ?? {}) };
        for (const [k, v] of Object.entries(secret.stringData))
          secret.data[k] = Buffer.from(v).toString("base64");
        delete secret.stringData;
      }
      if (!secret.type) secret.type = "Opaque";
    }
    if (r.kind === "Lease" && out.spec) {
      // MicroTime fields are stored and served with microsecond precision (RFC3339Micro)
      for (const field of ["acquireTime", "renewTime"]) {
        const v = out.spec[field];
        if (typeof v === "string" && !Number.isNaN(Date.parse(v))) out.spec[field] = toMicroTime(v);
      }
    }
    const schema = this.schemas.get(r.kind);
    if (r.custom && schema) {
      const dropped: string[] = [];
      out = pruneToSchema(out, schema, dropped);
      if (dropped.length > 0 && opts.fieldValidation === "Strict") {
        throw badRequest(
          `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${dropped.map((d) => `unknown field "${d.slice(1)}"`).join(", ")}`,
        );
      }
      if (opts.fieldValidation !== "Ignore")
        for (const d of dropped) opts.warnings?.push(`unknown field "${d.slice(1)}"`);
    }
    for (const [k, v] of Object.entries(out.metadata))
      if (v === undefined || v === null) delete (out.metadata as unknown as Record<string, unknown>)[k];
    return out;
  }

  create(
    r: ServedResource,
    namespace: string | undefined,
    body: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    const obj = structuredClone(body);
    this.checkTypeMeta(r, obj);
    const meta = obj.metadata as KubeObject["metadata"] & { generateName?: string };
    if (r.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      namespace = namespace ?? meta.namespace;
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) {
      throw invalid(r, "", [
        { field: "metadata.name", message: "Required value: name or generateName is required" },
      ]);
    }
    const nameRe = r.kind === "Namespace" ? LABEL : SUBDOMAIN;
    // preserveMetadata (fixtures) skips this: some upstream test fixtures carry names a server would refuse
    if (
      (!opts.preserveMetadata && !nameRe.test(meta.name)) ||
      meta.name.length > (r.kind === "Namespace" ? 63 : 253)
    ) {
      throw invalid(r, meta.name, [
        {
          field: "metadata.name",
          message: `Invalid value: "${meta.name}": a lowercase RFC 1123 ${r.kind === "Namespace" ? "label" : "subdomain"} must consist of lower case alphanumeric characters, '-' or '.'`,
        },
      ]);
    }
    if (meta.resourceVersion && !opts.preserveMetadata) {
      // what etcd3's store answers (as a 500) when a create carries a resourceVersion
      throw new KubeStatusError(
        statusFailure(500, "resourceVersion should not be set on objects to be created"),
      );
    }
    this.assertNamespace(r, namespace, opts);
    if (this.store.get(r, r.namespaced ? namespace : undefined, meta.name)) throw alreadyExists(r, meta.name);

    const keep = opts.preserveMetadata === true;
    if (!keep || !meta.uid) meta.uid = randomUUID();
    if (!keep || !meta.creationTimestamp) meta.creationTimestamp = nowTimestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete (meta as { selfLink?: string }).selfLink;
    if (r.tracksGeneration) meta.generation = keep && meta.generation ? meta.generation : 1;
    else delete meta.generation;
    if (r.custom && r.statusSubresource && !opts.keepStatus) delete obj.status;
    if (r.kind === "Namespace") {
      obj.spec = { finalizers: ["kubernetes"], ...(obj.spec ?? {}) };
      obj.status = { phase: "Active" };
      meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": meta.name };
    }
    const stored = this.normalize(r, obj, opts);
    if (opts.dryRun) return stored;
    return structuredClone(this.store.commit(r, "ADDED", stored).object);
  }

  /** PUT: replace the object (or its status). */
  update(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions = {},
  ) {
    const old = this.get(r, namespace, name);
    const obj = structuredClone(body);
    this.checkTypeMeta(r, obj);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = obj.metadata.resourceVersion;
    if (rv === undefined || rv === "") {
      if (r.custom) {
        throw invalid(r, name, [
          {
            field: "metadata.resourceVersion",
            message: "Invalid value: 0x0: must be specified for an update",
          },
        ]);
      }
    } else if (rv !== old.metadata.resourceVersion) throw conflict(r, name);
    return this.write(r, old, obj, opts);
  }

  /** Applies server rules to a full new object and commits it unless it is a no-op. */
  private write(r: ServedResource, old: KubeObject, incoming: KubeObject, opts: WriteOptions): KubeObject {
    let obj: KubeObject;
    if (opts.subresource === "status") {
      obj = structuredClone(old);
      if (incoming.status === undefined) delete obj.status;
      else obj.status = incoming.status;
    } else {
      obj = incoming;
      if (r.statusSubresource && !opts.keepStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
    }
    const meta = obj.metadata;
    meta.name = old.metadata.name;
    if (old.metadata.namespace) meta.namespace = old.metadata.namespace;
    else delete meta.namespace;
    const keep = opts.preserveMetadata === true;
    if (!keep || !meta.uid) meta.uid = old.metadata.uid;
    if (!keep || !meta.creationTimestamp) meta.creationTimestamp = old.metadata.creationTimestamp;
    delete (meta as { selfLink?: string }).selfLink;
    if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    else delete meta.deletionTimestamp;
    meta.resourceVersion = old.metadata.resourceVersion;
    if (r.tracksGeneration && keep && incoming.metadata.generation) {
      meta.generation = incoming.metadata.generation;
    } else if (r.tracksGeneration) {
      meta.generation = old.metadata.generation ?? 1;
      const changed = !isDeepStrictEqual(generationRelevant(obj, r), generationRelevant(old, r));
      if (changed) meta.generation += 1;
    } else delete meta.generation;
    const stored = this.normalize(r, obj, opts);
    const finalizers = (stored.metadata as { finalizers?: string[] }).finalizers ?? [];
    if (stored.metadata.deletionTimestamp && finalizers.length === 0) {
      if (opts.dryRun) return stored;
      return structuredClone(this.store.commit(r, "DELETED", stored).object);
    }
    if (isDeepStrictEqual(stored, old)) return old; // nothing changed: no new revision, no event
    if (opts.dryRun) return stored;
    return structuredClone(this.store.commit(r, "MODIFIED", stored).object);
  }

  patch(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    patchBody: unknown,
    contentType: string,
    opts: WriteOptions = {},
  ): KubeObject {
    const accepted = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, ...(r.custom ? [] : [STRATEGIC_MERGE_PATCH])];
    if (!accepted.includes(contentType)) throw unsupportedMediaType(contentType, accepted);
    if (contentType === APPLY_PATCH) return this.applyPatch(r, namespace, name, patchBody, opts);
    const old = this.get(r, namespace, name);
    const patched = (contentType === JSON_PATCH
      ? applyJsonPatch(old, patchBody)
      : applyMergePatch(old, patchBody)) as unknown as KubeObject;
    if (typeof patched !== "object" || patched === null || Array.isArray(patched)) {
      throw badRequest(`patch of ${r.kind} "${name}" did not produce an object`);
    }
    const rv = patched.metadata?.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(r, name);
    this.checkTypeMeta(r, patched);
    return this.write(r, old, patched, opts);
  }

  /**
   * Server-side apply, simplified: creates the object when missing, otherwise merges the applied
   * configuration in (no managedFields ownership or conflict detection).
   */
  private applyPatch(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ) {
    if (!opts.fieldManager) {
      throw invalid(r, name, [
        { field: "fieldManager", message: "Required value: is required for apply patch" },
      ]);
    }
    const applied = (typeof body === "string" ? parseYaml(body) : body) as KubeObject;
    const existing = this.store.get(r, r.namespaced ? namespace : undefined, name);
    if (!existing) {
      if (opts.subresource === "status") throw notFound(r, name);
      return this.create(r, namespace, { ...applied, metadata: { ...applied.metadata, name } }, opts);
    }
    const patched = applyMergePatch(existing, applied) as unknown as KubeObject;
    return this.write(r, existing, patched, opts);
  }

  /** DELETE: immediate unless finalizers are set (then deletionTimestamp is set and the object stays). */
  delete(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    preconditions: { resourceVersion?: string; uid?: string } = {},
    opts: WriteOptions = {},
  ): KubeObject {
    const old = this.get(r, namespace, name);
    if (preconditions.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(r, name);
    }
    if (preconditions.uid && preconditions.uid !== old.metadata.uid) throw conflict(r, name);
    if (opts.dryRun) return old;
    const finalizers = (old.metadata as { finalizers?: string[] }).finalizers ?? [];
    if (finalizers.length > 0 && r.kind !== "Namespace") {
      if (old.metadata.deletionTimestamp) return old;
      const marked = structuredClone(old);
      marked.metadata.deletionTimestamp = nowTimestamp();
      (marked.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds = 0;
      return structuredClone(this.store.commit(r, "MODIFIED", marked).object);
    }
    if (r.kind === "Namespace") this.deleteNamespaceContents(name);
    return structuredClone(this.store.commit(r, "DELETED", old).object);
  }

  /**
   * Simplification: a real namespace goes Terminating while the namespace controller deletes its content;
   * here the content is deleted (DELETED events) and the namespace removed at once.
   */
  private deleteNamespaceContents(namespace: string): void {
    for (const kind of ["Rollout", "AnalysisRun", "Experiment", "ConfigMap", "Secret", "Event", "Lease"]) {
      const r = findResource(kind)!;
      for (const obj of this.store.snapshot(r)) {
        if (obj.metadata.namespace === namespace) this.store.commit(r, "DELETED", obj);
      }
    }
  }
}
