// Holds the running configuration: the service-level config and each namespace's self-service config.
// Reload without restart = call update()/updateNamespace() on a ConfigMap/Secret watch event.
//
// Last good: a key that is broken in a new version keeps its last good value (a typo in `service.slack` or a
// Secret rotation that drops a key does not stop Slack notifications); every other key takes the new version.
// The errors stay visible (errors, readiness()) until a version fixes them.
import type { KubeObject } from "../kube/objects.ts";
import type { Logger } from "../logger.ts";
import { canonicalTrigger } from "../triggers/trigger-names.ts";
import { type ConfigError, formatConfigError } from "./config-error.ts";
import { effectiveConfig } from "./effective-config.ts";
import { emptyConfig, type LoadConfigOptions, loadNotifierConfig } from "./load-config.ts";
import type { NotifierConfig } from "./types.ts";

export interface ConfigUpdateResult {
  errors: ConfigError[];
  warnings: string[];
  /** Broken keys whose last good value is still in use. */
  keptLastGood: string[];
}

export interface ConfigStoreOptions {
  logger: Logger;
  /** Called after an update with errors (scope: "service" or the namespace). Wire metrics here. */
  onError?: (errors: ConfigError[], scope: string) => void;
  /** Called after an update with warnings (accepted, but behaves differently or not at all). Wire metrics here. */
  onWarning?: (warnings: string[], scope: string) => void;
  configMapName?: string;
  secretName?: string;
  /** The service's own namespace (POD_NAMESPACE). */
  namespace?: string;
}

const SERVICE_SCOPE = "service";

interface Scope {
  config: NotifierConfig;
  errors: ConfigError[];
  warnings: string[];
}

/** Copies the value a key produced in `from` into `into` (used for broken keys). Returns whether there was one. */
export function carryOverKey(key: string, from: NotifierConfig, into: NotifierConfig): boolean {
  if (key.startsWith("service.")) {
    const parts = key.split(".");
    const name = parts[2] ?? parts[1]!;
    const svc = from.services[name];
    if (svc) into.services[name] = svc;
    return svc !== undefined;
  }
  if (key.startsWith("template.")) {
    const t = from.templates[key.slice(9)];
    if (t) into.templates[key.slice(9)] = t;
    return t !== undefined;
  }
  if (key.startsWith("trigger.")) {
    const name = canonicalTrigger(key.slice(8));
    const t = from.triggers[name];
    if (t) into.triggers[name] = t;
    return t !== undefined;
  }
  if (key.startsWith("defaultTriggers.")) {
    const s = key.slice(16);
    const l = from.defaultTriggersByService[s];
    if (l) into.defaultTriggersByService[s] = l;
    return l !== undefined;
  }
  switch (key) {
    case "subscriptions":
      into.subscriptions = from.subscriptions;
      return from.subscriptions.length > 0;
    case "defaultTriggers":
      into.defaultTriggers = from.defaultTriggers;
      return from.defaultTriggers.length > 0;
    case "context":
      into.context = from.context;
      return Object.keys(from.context).length > 0;
    default:
      return false;
  }
}

export class ConfigStore {
  private readonly opts: ConfigStoreOptions;
  private readonly scopes = new Map<string, Scope>();
  private readonly effective = new Map<string, NotifierConfig>();

  constructor(opts: ConfigStoreOptions) {
    this.opts = opts;
    this.scopes.set(SERVICE_SCOPE, { config: emptyConfig(), errors: [], warnings: [] });
  }

  /** The service-level config. */
  get current(): NotifierConfig {
    return this.scopes.get(SERVICE_SCOPE)!.config;
  }

  /** Outstanding errors of every scope (service first, then namespaces by name). */
  get errors(): ConfigError[] {
    return this.sortedScopes().flatMap((s) => s.errors);
  }

  /** Warnings of the loaded versions of every scope (same order): accepted, but said. */
  get warnings(): string[] {
    return this.sortedScopes().flatMap((s) => s.warnings);
  }

  private sortedScopes(): Scope[] {
    return [...this.scopes.entries()]
      .sort(([a], [b]) => (a === SERVICE_SCOPE ? -1 : b === SERVICE_SCOPE ? 1 : a.localeCompare(b)))
      .map(([, s]) => s);
  }

  /** For /readyz: ok when no key is broken; detail lists the broken keys; warnings are shown, never failing. */
  readiness(): { ok: boolean; detail: string[]; warnings: string[] } {
    const errors = this.errors;
    return { ok: errors.length === 0, detail: errors.map(formatConfigError), warnings: this.warnings };
  }

  /** Loads a new version of the service-level ConfigMap/Secret (undefined = deleted). */
  update(configMap: KubeObject | undefined, secret: KubeObject | undefined): ConfigUpdateResult {
    return this.apply(SERVICE_SCOPE, configMap, secret, {});
  }

  /** Loads a namespace's self-service ConfigMap/Secret (undefined = deleted). */
  updateNamespace(
    namespace: string,
    configMap: KubeObject | undefined,
    secret: KubeObject | undefined,
  ): ConfigUpdateResult {
    if (!configMap) {
      this.removeNamespace(namespace);
      return { errors: [], warnings: [], keptLastGood: [] };
    }
    return this.apply(namespace, configMap, secret, { tenantNamespace: namespace });
  }

  removeNamespace(namespace: string): void {
    this.scopes.delete(namespace);
    this.effective.delete(namespace);
  }

  /** The config for Rollouts in a namespace: service level merged with the namespace's own. */
  forNamespace(namespace: string): NotifierConfig {
    let cfg = this.effective.get(namespace);
    if (!cfg) {
      cfg = effectiveConfig(this.current, this.scopes.get(namespace)?.config);
      this.effective.set(namespace, cfg);
    }
    return cfg;
  }

  private apply(
    scope: string,
    configMap: KubeObject | undefined,
    secret: KubeObject | undefined,
    extra: Partial<LoadConfigOptions>,
  ): ConfigUpdateResult {
    const loadOpts: LoadConfigOptions = { ...extra };
    if (this.opts.configMapName) loadOpts.configMapName = this.opts.configMapName;
    if (this.opts.secretName) loadOpts.secretName = this.opts.secretName;
    if (this.opts.namespace && scope === SERVICE_SCOPE) loadOpts.namespace = this.opts.namespace;
    const { config, errors, warnings } = loadNotifierConfig(configMap, secret, loadOpts);

    const previous = this.scopes.get(scope)?.config;
    const keptLastGood: string[] = [];
    if (previous) {
      for (const key of new Set(errors.map((e) => e.key))) {
        if (carryOverKey(key, previous, config)) keptLastGood.push(key);
      }
    }
    this.scopes.set(scope, { config, errors, warnings });
    if (scope === SERVICE_SCOPE) this.effective.clear();
    else this.effective.delete(scope);

    const log = this.opts.logger.child({ configScope: scope });
    for (const w of warnings) log.warn(w);
    for (const e of errors) log.error({ configKey: e.key }, formatConfigError(e));
    if (keptLastGood.length > 0) log.warn({ keys: keptLastGood }, "broken keys keep their last good value");
    if (warnings.length > 0) this.opts.onWarning?.(warnings, scope);
    if (errors.length > 0) this.opts.onError?.(errors, scope);
    else
      log.info(
        { services: Object.keys(config.services).length, triggers: Object.keys(config.triggers).length },
        "config loaded",
      );
    return { errors, warnings, keptLastGood };
  }
}
