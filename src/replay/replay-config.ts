// The notification config during a replay: the --config/--secret files first, then every ConfigMap, Secret and
// Namespace of the configured names that appears in the history, applied as it appears (the config reloads
// mid-replay like the live service). The service namespace's ConfigMap/Secret are the service-level config;
// the same names in another namespace are that namespace's self-service config. Errors and warnings are handed
// to the caller (they name the ConfigMap and key); a broken key keeps its last good value (ConfigStore).

import { type ConfigError, formatConfigError } from "../config/config-error.ts";
import { ConfigStore } from "../config/config-store.ts";
import { DEFAULT_CONFIGMAP_NAME, DEFAULT_SECRET_NAME } from "../config/load-config.ts";
import { ownEntry } from "../config/tables.ts";
import type { NotifierConfig } from "../config/types.ts";
import type { KubeObject } from "../kube/objects.ts";
import { createLogger } from "../logger.ts";

export interface ReplayConfigOptions {
  /** The service's own namespace (--namespace, default argo-rollouts). */
  namespace: string;
  configMapName?: string;
  secretName?: string;
  onError(message: string, error: ConfigError): void;
  onWarning?(message: string): void;
}

export class ReplayConfig {
  readonly store: ConfigStore;
  private readonly opts: ReplayConfigOptions;
  private readonly configMapName: string;
  private readonly secretName: string;
  private readonly configMaps = new Map<string, KubeObject>();
  private readonly secrets = new Map<string, KubeObject>();
  /** Every secret value seen (to keep them out of any output). */
  private readonly secretValueSet = new Set<string>();

  constructor(opts: ReplayConfigOptions) {
    this.opts = opts;
    this.configMapName = opts.configMapName ?? DEFAULT_CONFIGMAP_NAME;
    this.secretName = opts.secretName ?? DEFAULT_SECRET_NAME;
    this.store = new ConfigStore({
      logger: createLogger({ level: "silent" }),
      configMapName: this.configMapName,
      secretName: this.secretName,
      namespace: opts.namespace,
    });
  }

  /**
   * Objects from the --config/--secret files. A ConfigMap or Secret without a namespace (or any name) there is
   * the service-level one; one in another namespace is that namespace's self-service config.
   */
  seed(objects: KubeObject[]): void {
    const touched = new Set<string>();
    for (const obj of objects) {
      if (obj.kind !== "ConfigMap" && obj.kind !== "Secret") continue;
      const ns = obj.metadata.namespace ?? this.opts.namespace;
      const named = {
        ...obj,
        metadata: {
          ...obj.metadata,
          namespace: ns,
          ...(ns === this.opts.namespace
            ? { name: obj.kind === "ConfigMap" ? this.configMapName : this.secretName }
            : {}),
        },
      };
      this.remember(named);
      touched.add(ns);
    }
    for (const ns of [...touched].sort()) this.reload(ns);
  }

  /** An object of the replayed history (ConfigMaps/Secrets of the configured names change the config). */
  observe(obj: KubeObject, deleted: boolean): void {
    if (obj.kind !== "ConfigMap" && obj.kind !== "Secret") return;
    const name = obj.kind === "ConfigMap" ? this.configMapName : this.secretName;
    if (obj.metadata.name !== name) return;
    const ns = obj.metadata.namespace ?? this.opts.namespace;
    const map = obj.kind === "ConfigMap" ? this.configMaps : this.secrets;
    if (deleted) map.delete(ns);
    else this.remember({ ...obj, metadata: { ...obj.metadata, namespace: ns } });
    this.reload(ns);
  }

  configFor(namespace: string): NotifierConfig {
    return this.store.forNamespace(namespace);
  }

  /** Service-level config, or a namespace's own services when the job came from one (as the worker resolves). */
  resolveService(name: string, tenantNamespace?: string) {
    return tenantNamespace
      ? ownEntry(this.store.forNamespace(tenantNamespace).services, name)
      : ownEntry(this.store.current.services, name);
  }

  /** Every secret value seen so far (values of 4+ characters). */
  secretValues(): string[] {
    return [...this.secretValueSet];
  }

  private remember(obj: KubeObject): void {
    const ns = obj.metadata.namespace ?? this.opts.namespace;
    if (obj.kind === "ConfigMap") this.configMaps.set(ns, obj);
    else {
      this.secrets.set(ns, obj);
      for (const v of Object.values(obj.data ?? {}))
        if (typeof v === "string") this.addSecret(Buffer.from(v, "base64").toString("utf8"));
      for (const v of Object.values(obj.stringData ?? {})) if (typeof v === "string") this.addSecret(v);
    }
  }

  private addSecret(v: string): void {
    if (v.length >= 4) this.secretValueSet.add(v);
  }

  private reload(ns: string): void {
    const cm = this.configMaps.get(ns);
    const secret = this.secrets.get(ns);
    const result =
      ns === this.opts.namespace ? this.store.update(cm, secret) : this.store.updateNamespace(ns, cm, secret);
    for (const e of result.errors) this.opts.onError(formatConfigError(e), e);
    for (const w of result.warnings) this.opts.onWarning?.(w);
  }
}
