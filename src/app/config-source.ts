// Feeds the ConfigStore from Kubernetes: the service's ConfigMap/Secret in its own namespace and the
// self-service ones (same names) in watched namespaces. Lists and watches only those names
// (fieldSelector=metadata.name=…), which is all the chart's RBAC grants. Reloads on every change (a namespace's
// own config only while the namespace has rendering time left: render-share.ts).
import type { KubeConfig } from "@kubernetes/client-node";
import type { ConfigStore } from "../config/config-store.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { Logger } from "../logger.ts";
import type { RenderShare } from "../templates/render-share.ts";
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
  /**
   * Each namespace's share of rendering time (render-share.ts): a self-service config's load (its templates are
   * dry-rendered) is charged to its namespace, and waits while the namespace has no time left.
   */
  renderShare?: RenderShare;
}

export class ConfigSource {
  private readonly o: ConfigSourceOptions;
  private readonly reflectors: Reflector[] = [];
  private loadedFlag = false;
  /** Reloads waiting for their namespace's render share, by namespace (one timer each: changes meanwhile join it). */
  private readonly deferred = new Map<string, NodeJS.Timeout>();

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
    for (const t of this.deferred.values()) clearTimeout(t);
    this.deferred.clear();
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
    if (this.deferred.has(namespace)) return; // a reload is already waiting: it reads the latest objects
    const cm = this.find(CONFIGMAPS, namespace, this.o.configMapName);
    const secret = this.find(SECRETS, namespace, this.o.secretName);
    const central = namespace === this.o.namespace;
    const share = central || !cm ? undefined : this.o.renderShare;
    if (share && share.waitMs(namespace) > 0) {
      this.defer(namespace, share.waitMs(namespace));
      return;
    }
    const started = performance.now();
    const result = central
      ? this.o.store.update(cm, secret)
      : this.o.store.updateNamespace(
          namespace,
          cm,
          secret,
          share ? { renderShareMs: share.available(namespace) } : {},
        );
    share?.charge(namespace, performance.now() - started);
    // templates left unchecked for want of time: load again once the namespace has some
    if (share && result.renderShareUsedUp) this.defer(namespace, Math.max(1_000, share.waitMs(namespace)));
    const scope = namespace === this.o.namespace ? "service" : `namespace ${namespace}`;
    if (result.errors.length === 0) {
      this.o.logger.info({ scope, warnings: result.warnings.length }, "notification config loaded");
    }
  }

  private defer(namespace: string, ms: number): void {
    this.o.logger.warn(
      { scope: `namespace ${namespace}`, retryInMs: ms },
      "config reload deferred: the namespace has used its share of rendering time (RENDER_SHARE_PERCENT)",
    );
    const timer = setTimeout(() => {
      this.deferred.delete(namespace);
      this.reload(namespace);
    }, ms);
    timer.unref?.();
    this.deferred.set(namespace, timer);
  }
}
