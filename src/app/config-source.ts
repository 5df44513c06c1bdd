// Feeds the ConfigStore from Kubernetes: the service's ConfigMap/Secret in its own namespace and the
// self-service ones (same names) in watched namespaces. Lists and watches only those names
// (fieldSelector=metadata.name=…), which is all the chart's RBAC grants. Reloads on every change.
import type { KubeConfig } from "@kubernetes/client-node";
import type { ConfigStore } from "../config/config-store.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { Logger } from "../logger.ts";
import { Reflector } from "../watch/reflector.ts";
import { CONFIGMAPS, type ResourceDescriptor, SECRETS } from "../watch/resources.ts";

export interface ConfigSourceOptions {
  kc: KubeConfig;
  store: ConfigStore;
  logger: Logger;
  /** The service's own namespace. */
  namespace: string;
  configMapName: string;
  secretName: string;
  /** Namespaces whose self-service config is read; undefined = all. */
  watchNamespaces?: string[];
  onWatchRestart?: (resource: string, reason: string) => void;
}

export class ConfigSource {
  private readonly o: ConfigSourceOptions;
  private readonly reflectors: Reflector[] = [];
  private loadedFlag = false;

  constructor(o: ConfigSourceOptions) {
    this.o = o;
  }

  get loaded(): boolean {
    return this.loadedFlag;
  }

  async start(): Promise<void> {
    const scopes: (string | undefined)[] = this.o.watchNamespaces
      ? [...new Set([this.o.namespace, ...this.o.watchNamespaces])]
      : [undefined];
    const make = (res: ResourceDescriptor, name: string, namespace: string | undefined) =>
      new Reflector({
        kc: this.o.kc,
        resource: res,
        namespace,
        fieldSelector: `metadata.name=${name}`,
        logger: this.o.logger,
        onEvent: (e) => {
          if (this.loadedFlag) this.reload(e.object.metadata.namespace ?? "");
        },
        onRestart: (reason) => this.o.onWatchRestart?.(res.plural, reason),
      });
    for (const ns of scopes) {
      this.reflectors.push(make(CONFIGMAPS, this.o.configMapName, ns), make(SECRETS, this.o.secretName, ns));
    }
    for (const r of this.reflectors) r.start();
    await Promise.all(this.reflectors.map((r) => r.synced));
    const namespaces = new Set<string>([this.o.namespace]);
    for (const r of this.reflectors) for (const obj of r.list()) namespaces.add(obj.metadata.namespace ?? "");
    for (const ns of namespaces) this.reload(ns);
    this.loadedFlag = true;
  }

  stop(): void {
    for (const r of this.reflectors) r.stop();
  }

  private find(res: ResourceDescriptor, namespace: string, name: string): KubeObject | undefined {
    for (const r of this.reflectors) {
      if (r.resource !== res) continue;
      const obj = r.get(namespace, name);
      if (obj) return obj;
    }
    return undefined;
  }

  private reload(namespace: string): void {
    const cm = this.find(CONFIGMAPS, namespace, this.o.configMapName);
    const secret = this.find(SECRETS, namespace, this.o.secretName);
    const result =
      namespace === this.o.namespace
        ? this.o.store.update(cm, secret)
        : this.o.store.updateNamespace(namespace, cm, secret);
    const scope = namespace === this.o.namespace ? "service" : `namespace ${namespace}`;
    if (result.errors.length === 0) {
      this.o.logger.info({ scope, warnings: result.warnings.length }, "notification config loaded");
    }
  }
}
