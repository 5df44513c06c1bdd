// Holds the running configuration: the service-level config and each namespace's self-service config.
// Reload without restart = call update()/updateNamespace() on a ConfigMap/Secret watch event.
//
// Last good: a key that is broken in a new version keeps its last good value (a typo in `service.slack` or a
// Secret rotation that drops a key does not stop Slack notifications); every other key takes the new version.
// The errors stay visible (errors, readiness()) until a version fixes them.
//
// Tenant isolation by construction: the service-level (central) config and the namespaces' configs live in two
// separate structures — one field, and a Map keyed by namespace name — so no namespace name (not even
// "service") can address the central config, and a namespace's ConfigMap only ever changes its own entry.
// Deleting any ConfigMap or Secret is a normal event: central → empty central config (reported through
// readiness), namespace → that namespace's entry removed.
import type { KubeObject } from "../kube/objects.ts";
import type { Logger } from "../logger.ts";
import { processRedactor, type SecretRedactor } from "../redaction/secret-redactor.ts";
import { serviceSecretSpellings } from "../sinks/service-secrets.ts";
import { canonicalTrigger } from "../triggers/trigger-names.ts";
import { type ConfigError, formatConfigError } from "./config-error.ts";
import { effectiveConfig } from "./effective-config.ts";
import { emptyConfig, type LoadConfigOptions, loadNotifierConfig } from "./load-config.ts";
import { readSecretValues } from "./secret-refs.ts";
import { ownEntry, withUserTables } from "./tables.ts";
import type { NotifierConfig } from "./types.ts";

export interface ConfigUpdateResult {
  errors: ConfigError[];
  warnings: string[];
  /** Broken keys whose last good value is still in use. */
  keptLastGood: string[];
  /** Templates were left unchecked (errors) because the namespace's render share ran out: load again later. */
  renderShareUsedUp?: boolean;
}

export interface ConfigStoreOptions {
  logger: Logger;
  /**
   * Called after an update with errors (scope: "service" or the namespace; `central` tells which, since a
   * namespace may be named "service"). Wire metrics here.
   */
  onError?: (errors: ConfigError[], scope: string, central: boolean) => void;
  /** Called after an update with warnings (accepted, but behaves differently or not at all). Wire metrics here. */
  onWarning?: (warnings: string[], scope: string) => void;
  configMapName?: string;
  secretName?: string;
  /** The service's own namespace (POD_NAMESPACE). */
  namespace?: string;
  /** Where every loaded secret value is registered for scrubbing (default: the process-wide redactor). */
  redactor?: SecretRedactor;
}

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
    const svc = ownEntry(from.services, name);
    if (svc) into.services[name] = svc;
    return svc !== undefined;
  }
  if (key.startsWith("template.")) {
    const t = ownEntry(from.templates, key.slice(9));
    if (t) into.templates[key.slice(9)] = t;
    return t !== undefined;
  }
  if (key.startsWith("trigger.")) {
    const name = canonicalTrigger(key.slice(8));
    const t = ownEntry(from.triggers, name);
    if (t) into.triggers[name] = t;
    return t !== undefined;
  }
  if (key.startsWith("defaultTriggers.")) {
    const s = key.slice(16);
    const l = ownEntry(from.defaultTriggersByService, s);
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

/**
 * Namespaces whose merged config (forNamespace) is kept. It was kept for every namespace a Rollout was ever seen
 * in until the central config changed: namespaces that come and go (one per pull request) each left a copy of
 * every table of the central config (a few KB each).
 */
export const MAX_EFFECTIVE_NAMESPACES = 1_024;

export class ConfigStore {
  private readonly opts: ConfigStoreOptions;
  /** The service-level config: its own field, never an entry of `namespaces`. */
  private central: Scope = { config: withUserTables(emptyConfig()), errors: [], warnings: [] };
  /** Each namespace's self-service config, keyed by namespace name. */
  private readonly namespaces = new Map<string, Scope>();
  /**
   * The merged config of each namespace a Rollout was seen in (forNamespace), most recently used last; at most
   * MAX_EFFECTIVE_NAMESPACES (a namespace that went away is forgotten in time, the others are merged again).
   */
  private readonly effective = new Map<string, NotifierConfig>();

  constructor(opts: ConfigStoreOptions) {
    this.opts = opts;
  }

  /** The service-level config. */
  get current(): NotifierConfig {
    return this.central.config;
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
    return [
      this.central,
      ...[...this.namespaces.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s),
    ];
  }

  /** For /readyz: ok when no key is broken; detail lists the broken keys; warnings are shown, never failing. */
  readiness(): { ok: boolean; detail: string[]; warnings: string[] } {
    const errors = this.errors;
    const redactor = this.opts.redactor ?? processRedactor;
    return {
      ok: errors.length === 0,
      detail: errors.map((e) => redactor.redact(formatConfigError(e))),
      warnings: this.warnings.map((w) => redactor.redact(w)),
    };
  }

  /** Loads a new version of the service-level ConfigMap/Secret (undefined = deleted). */
  update(configMap: KubeObject | undefined, secret: KubeObject | undefined): ConfigUpdateResult {
    const { scope, result } = this.load(this.central, "service", configMap, secret, {});
    this.central = scope;
    this.effective.clear();
    return result;
  }

  /** Loads a namespace's self-service ConfigMap/Secret (undefined = deleted). */
  updateNamespace(
    namespace: string,
    configMap: KubeObject | undefined,
    secret: KubeObject | undefined,
    opts: { renderShareMs?: number } = {},
  ): ConfigUpdateResult {
    if (!configMap) {
      this.removeNamespace(namespace);
      return { errors: [], warnings: [], keptLastGood: [] };
    }
    const { scope, result } = this.load(
      this.namespaces.get(namespace),
      `namespace ${namespace}`,
      configMap,
      secret,
      { tenantNamespace: namespace, ...opts },
    );
    this.namespaces.set(namespace, scope);
    this.effective.delete(namespace);
    return result;
  }

  /** Forgets a namespace's own config (its ConfigMap was deleted). Never touches the central config. */
  removeNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
    this.effective.delete(namespace);
  }

  /** Whether a namespace has its own config (its templates are its own: render-share.ts charges them). */
  hasNamespaceConfig(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  /** Namespaces that have their own config. */
  tenantNamespaces(): string[] {
    return [...this.namespaces.keys()].sort();
  }

  /** How many namespaces' merged configs are kept (at most MAX_EFFECTIVE_NAMESPACES). */
  get effectiveCount(): number {
    return this.effective.size;
  }

  /** The config for Rollouts in a namespace: service level merged with the namespace's own. */
  forNamespace(namespace: string): NotifierConfig {
    let cfg = this.effective.get(namespace);
    if (cfg) {
      // most recently used last: the one forgotten first is the one unused longest
      this.effective.delete(namespace);
      this.effective.set(namespace, cfg);
      return cfg;
    }
    cfg = effectiveConfig(this.current, this.namespaces.get(namespace)?.config);
    this.effective.set(namespace, cfg);
    if (this.effective.size > MAX_EFFECTIVE_NAMESPACES)
      this.effective.delete(this.effective.keys().next().value as string);
    return cfg;
  }

  private load(
    previousScope: Scope | undefined,
    label: string,
    configMap: KubeObject | undefined,
    secret: KubeObject | undefined,
    extra: Partial<LoadConfigOptions>,
  ): { scope: Scope; result: ConfigUpdateResult } {
    const central = extra.tenantNamespace === undefined;
    const loadOpts: LoadConfigOptions = { ...extra };
    if (this.opts.configMapName) loadOpts.configMapName = this.opts.configMapName;
    if (this.opts.secretName) loadOpts.secretName = this.opts.secretName;
    if (this.opts.namespace && central) loadOpts.namespace = this.opts.namespace;
    // every value of the Secret, and every secret of the loaded services, is scrubbed from what leaves the
    // process from now on — before anything below can log it
    const redactor = this.opts.redactor ?? processRedactor;
    const redactScope = central ? "central" : `namespace/${extra.tenantNamespace}`;
    redactor.addValues(redactScope, readSecretValues(secret, "").values.values());
    const loaded = loadNotifierConfig(configMap, secret, loadOpts);
    // a version refused as a whole (too much YAML) leaves the previous one in force, every key of it
    const config =
      loaded.refusedWhole && previousScope ? previousScope.config : withUserTables(loaded.config);
    redactor.addSpellings(
      redactScope,
      Object.values(config.services).flatMap((svc) => serviceSecretSpellings(svc, { wholeUrls: false })),
    );
    const { errors, warnings } = loaded;

    const previous = previousScope?.config;
    const keptLastGood: string[] = [];
    if (loaded.refusedWhole) {
      if (previous) keptLastGood.push("data");
    } else if (previous) {
      for (const key of new Set(errors.map((e) => e.key))) {
        if (carryOverKey(key, previous, config)) keptLastGood.push(key);
      }
    }
    const scopeName = central ? "service" : extra.tenantNamespace!;
    const log = this.opts.logger.child({ configScope: label === "service" ? label : extra.tenantNamespace });
    for (const w of warnings) log.warn(w);
    for (const e of errors) log.error({ configKey: e.key }, formatConfigError(e));
    if (keptLastGood.length > 0) log.warn({ keys: keptLastGood }, "broken keys keep their last good value");
    if (warnings.length > 0) this.opts.onWarning?.(warnings, scopeName);
    if (errors.length > 0) this.opts.onError?.(errors, scopeName, central);
    else
      log.info(
        { services: Object.keys(config.services).length, triggers: Object.keys(config.triggers).length },
        "config loaded",
      );
    return {
      scope: { config, errors, warnings },
      result: {
        errors,
        warnings,
        keptLastGood,
        ...(loaded.renderShareUsedUp ? { renderShareUsedUp: true } : {}),
      },
    };
  }
}
