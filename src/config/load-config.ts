// Loads an upstream-format argo-rollouts-notification-configmap + Secret into a NotifierConfig. Every key is
// loaded on its own: a broken key is reported (ConfigError naming the key and field) and skipped, and the rest of
// the config loads. Unknown keys and unsupported services are warnings.
import { Lexer } from "yaml";
import { type KubeObject, objectKey } from "../kube/objects.ts";
import { DEFAULT_TEMPLATES } from "../triggers/custom-trigger-plan.ts";
import { canonicalTrigger, isBuiltinTrigger } from "../triggers/trigger-names.ts";
import { type ConfigError, KeyErrors } from "./config-error.ts";
import { readSecretValues } from "./secret-refs.ts";
import { parseServiceEntry, upstreamWithoutSection } from "./service-config.ts";
import { parseContext, parseSubscriptions, parseTriggerList } from "./subscription-config.ts";
import { ownEntry, userTable } from "./tables.ts";
import { dryRenderTemplates, parseTemplateEntry } from "./template-config.ts";
import { parseTriggerEntry } from "./trigger-config.ts";
import type { NotifierConfig } from "./types.ts";

export const DEFAULT_CONFIGMAP_NAME = "argo-rollouts-notification-configmap";
export const DEFAULT_SECRET_NAME = "argo-rollouts-notification-secret";

export interface LoadConfigOptions {
  configMapName?: string;
  secretName?: string;
  /** Namespace the objects are expected in (used in messages when they are missing). */
  namespace?: string;
  /**
   * Load a namespace's self-service config: services are marked with this namespace (SSRF guard), and the
   * ConfigMap and Secret must both live in it ($refs resolve from that namespace's Secret only).
   */
  tenantNamespace?: string;
  /**
   * Rendering time the namespace has left (render-share.ts): the dry-render of its templates stops there, and
   * the templates not rendered by then are errors naming the share (renderShareUsedUp: load again later).
   */
  renderShareMs?: number;
}

export interface LoadConfigResult {
  config: NotifierConfig;
  errors: ConfigError[];
  warnings: string[];
  /** Some templates could not be dry-rendered within the namespace's render share. */
  renderShareUsedUp?: boolean;
  /** Nothing of the ConfigMap was read (too much YAML): the previous version stays in force as a whole. */
  refusedWhole?: boolean;
}

/**
 * YAML tokens (the `yaml` package's lexer) the values of one ConfigMap may hold together. Parsing runs on the one
 * JavaScript thread at ~2–5 µs a token (1 MiB of `a,` — a ConfigMap's size limit — took 1.5 s, 200,000 nested
 * `[` 0.7 s), so a namespace could stall every delivery for seconds at each edit; at this bound a parse takes
 * ~0.1–0.25 s, charged to the namespace's render share like its templates. Upstream's whole built-in catalog is
 * 405 tokens, the largest public config of the compatibility corpus 455 (a block scalar is one token).
 */
export const MAX_CONFIGMAP_YAML_TOKENS = 50_000;

/** The first YAML token count above `limit` among the values (lexing stops there), or undefined within it. */
export function yamlTokensOver(values: Iterable<unknown>, limit: number): number | undefined {
  let count = 0;
  for (const v of values) {
    if (typeof v !== "string") continue;
    for (const _token of new Lexer().lex(v)) if (++count > limit) return count;
  }
  return undefined;
}

export function emptyConfig(): NotifierConfig {
  // null-prototype tables: a key named `__proto__` or `constructor` is a name like any other (tables.ts)
  return {
    services: userTable(),
    templates: userTable(),
    triggers: userTable(),
    subscriptions: [],
    defaultTriggers: [],
    defaultTriggersByService: userTable(),
    context: userTable(),
  };
}

export function loadNotifierConfig(
  configMap: KubeObject | undefined,
  secret: KubeObject | undefined,
  opts: LoadConfigOptions = {},
): LoadConfigResult {
  const ns = opts.tenantNamespace ?? opts.namespace ?? configMap?.metadata.namespace;
  const cmName = opts.configMapName ?? DEFAULT_CONFIGMAP_NAME;
  const secretName = opts.secretName ?? DEFAULT_SECRET_NAME;
  const cmSource = configMap ? objectKey(configMap) : ns ? `${ns}/${cmName}` : cmName;
  const config = emptyConfig();
  const errors: ConfigError[] = [];
  const warnings: string[] = [];
  if (!configMap) return { config, errors, warnings };

  if (opts.tenantNamespace) {
    if (configMap.metadata.namespace !== opts.tenantNamespace) {
      errors.push({
        source: cmSource,
        key: "metadata.namespace",
        message: `must be ${opts.tenantNamespace}`,
      });
      return { config, errors, warnings };
    }
    if (secret && secret.metadata.namespace !== opts.tenantNamespace) {
      // never read another namespace's Secret: treat it as absent
      errors.push({
        source: objectKey(secret),
        key: "metadata.namespace",
        message: `Secret for namespace ${opts.tenantNamespace} must be in that namespace; ignored`,
      });
      secret = undefined;
    }
  }
  const secretValues = readSecretValues(secret, ns ? `${ns}/${secretName}` : secretName);

  const data = configMap.data ?? {};
  if (yamlTokensOver(Object.values(data), MAX_CONFIGMAP_YAML_TOKENS) !== undefined) {
    errors.push({
      source: cmSource,
      key: "data",
      message: `more than ${MAX_CONFIGMAP_YAML_TOKENS} YAML tokens in its values (the largest real configs hold a few hundred); nothing of this version was loaded`,
    });
    return { config, errors, warnings, refusedWhole: true };
  }
  const serviceKeyByName = new Map<string, string>();
  const triggerKeyByName = new Map<string, string>();
  for (const key of Object.keys(data).sort()) {
    const text = data[key];
    const ke = new KeyErrors(cmSource, key);
    if (typeof text !== "string") {
      ke.error("value must be a string");
    } else if (key.startsWith("service.")) {
      const service = parseServiceEntry(key, text, secretValues, ke, opts.tenantNamespace);
      if (service) {
        const other = serviceKeyByName.get(service.name);
        if (other) ke.error(`service name "${service.name}" is already defined by key "${other}"`);
        else {
          serviceKeyByName.set(service.name, key);
          config.services[service.name] = service;
        }
      }
    } else if (key.startsWith("template.")) {
      const name = key.slice("template.".length);
      if (!name) ke.error("expected template.<name>");
      else {
        const spec = parseTemplateEntry(name, text, ke);
        if (spec) config.templates[name] = spec;
      }
    } else if (key.startsWith("trigger.")) {
      const rawName = key.slice("trigger.".length);
      if (!rawName) ke.error("expected trigger.<name>");
      const parsed = rawName ? parseTriggerEntry(rawName, text, ke) : undefined;
      if (parsed) {
        const other = triggerKeyByName.get(parsed.name);
        if (other === undefined || rawName === parsed.name) {
          if (other !== undefined) ke.warn(`"${other}" is an alias of this trigger; this key wins`);
          triggerKeyByName.set(parsed.name, key);
          config.triggers[parsed.name] = parsed.conditions;
        } else {
          ke.warn(`alias of "${parsed.name}", which "${other}" already defines; ignored`);
        }
      }
    } else if (key === "subscriptions") {
      const subs = parseSubscriptions(text, ke);
      if (subs) config.subscriptions = subs;
    } else if (key === "defaultTriggers") {
      const list = parseTriggerList(text, ke);
      if (list) config.defaultTriggers = list;
    } else if (key.startsWith("defaultTriggers.")) {
      const list = parseTriggerList(text, ke);
      if (list) config.defaultTriggersByService[key.slice("defaultTriggers.".length)] = list;
    } else if (key === "context") {
      const ctx = parseContext(text, ke);
      if (ctx) config.context = ctx;
    } else {
      ke.warn("unknown key ignored");
    }
    errors.push(...ke.errors);
    warnings.push(...ke.warnings);
  }
  const shareDeadlineAt = opts.renderShareMs === undefined ? undefined : Date.now() + opts.renderShareMs;
  const { renderShareUsedUp } = dryRenderTemplates(config, cmSource, errors, warnings, shareDeadlineAt);
  warnings.push(...crossReferenceWarnings(config, cmSource));
  warnings.push(...upstreamDifferenceWarnings(config, cmSource, serviceKeyByName));
  return { config, errors, warnings, ...(renderShareUsedUp ? { renderShareUsedUp } : {}) };
}

/** Names that point nowhere: not errors (they may be fixed by another key or an embedded default), but said. */
function crossReferenceWarnings(config: NotifierConfig, source: string): string[] {
  const out: string[] = [];
  const defaults = new Set<string>(Object.values(DEFAULT_TEMPLATES));
  for (const [trigger, conds] of Object.entries(config.triggers)) {
    conds.forEach((c, i) => {
      for (const t of c.send) {
        if (!ownEntry(config.templates, t) && !defaults.has(t)) {
          out.push(`${source} key "trigger.${trigger} ([${i}].send)": template "${t}" is not defined`);
        }
      }
    });
  }
  const knownTrigger = (t: string) => isBuiltinTrigger(t) || ownEntry(config.triggers, t) !== undefined;
  const lists: [string, string[]][] = [
    ["defaultTriggers", config.defaultTriggers],
    ...Object.entries(config.defaultTriggersByService).map(([s, l]): [string, string[]] => [
      `defaultTriggers.${s}`,
      l,
    ]),
  ];
  for (const [key, list] of lists) {
    for (const t of list)
      if (!knownTrigger(t)) out.push(`${source} key "${key}": trigger "${t}" is not defined`);
  }
  config.subscriptions.forEach((s, i) => {
    for (const t of s.triggers) {
      if (!knownTrigger(t))
        out.push(`${source} key "subscriptions ([${i}].triggers)": trigger "${t}" is not defined`);
    }
  });
  return out;
}

/**
 * What loads but sends differently from Argo Rollouts for the same ConfigMap, said at every load (a warning each;
 * `migrate` reports the same warnings as differences):
 * - a `subscriptions`/`defaultTriggers` entry naming a built-in trigger the ConfigMap does not define: upstream
 *   skips it ("trigger is not configured"), here the built-in trigger sends its built-in template;
 * - a service whose upstream Send fails without its template part (alertmanager), sent by a
 *   configured built-in trigger whose templates have no such part: upstream sends nothing, here the trigger's
 *   built-in part is sent;
 * - a webhook whose name the `webhook.<name>` sections of such a trigger's templates do not name, when those name
 *   no configured webhook at all (misnamed): upstream sends a GET with the template's `message` as body, here the
 *   trigger's built-in request is sent.
 */
function upstreamDifferenceWarnings(
  config: NotifierConfig,
  source: string,
  serviceKeyByName: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  const builtinOnly = (t: string) => isBuiltinTrigger(t) && !ownEntry(config.triggers, canonicalTrigger(t));
  const lists: [string, string[]][] = [
    ["defaultTriggers", config.defaultTriggers],
    ...Object.entries(config.defaultTriggersByService).map(([s, l]): [string, string[]] => [
      `defaultTriggers.${s}`,
      l,
    ]),
    ...config.subscriptions.map((s, i): [string, string[]] => [
      `subscriptions ([${i}].triggers)`,
      s.triggers,
    ]),
  ];
  for (const [subject, list] of lists) {
    // one warning per entry (not per trigger): said, without a wall of lines for configs written for this service
    const undefinedBuiltins = list.filter(builtinOnly).map(canonicalTrigger);
    if (undefinedBuiltins.length > 0)
      out.push(`${source} key "${subject}": ${UNDEFINED_BUILTIN_TRIGGER_DIFFERENCE(undefinedBuiltins)}`);
  }
  for (const [name, key] of serviceKeyByName) {
    const service = ownEntry(config.services, name);
    if (!service) continue;
    const upstream = upstreamWithoutSection(service);
    if (!upstream) continue;
    const { section } = upstream;
    const spec = (t: string) => ownEntry(config.templates, t) as Record<string, unknown> | undefined;
    const misnamed = (names: string[] | undefined) =>
      names !== undefined &&
      names.length > 0 &&
      names.every((n) => n !== "*" && ownEntry(config.services, n)?.type !== service.type);
    const triggers = Object.entries(config.triggers)
      .filter(
        ([trigger, conds]) =>
          isBuiltinTrigger(trigger) &&
          conds.some(
            (c) =>
              c.send.some((t) => ownEntry(config.templates, t)) &&
              !c.send.some((t) => upstream.hasPart(spec(t))) &&
              // where upstream sends something else (a webhook's GET): said when the templates' sections name
              // no configured service of the type (a misnamed `webhook.<name>`); sections for the config's other
              // webhooks (one template per webhook) and templates without the section (the documented built-in
              // fallback, docs/migrating.md, Services, as the service's own examples use) are not said
              (upstream.error !== undefined || c.send.some((t) => misnamed(upstream.sectionNames(spec(t))))),
          ),
      )
      .map(([trigger]) => trigger);
    if (triggers.length === 0) continue;
    out.push(
      upstream.error
        ? `${source} key "${key}": the templates of ${triggers.join(", ")} have no ${section} part: Argo Rollouts' ${upstream.type} service fails to send them ("${upstream.error}"), nothing is sent; here each trigger's built-in ${section} part is sent instead`
        : `${source} key "${key}": the templates of ${triggers.join(", ")} have no ${section} part for "${name}": Argo Rollouts' ${upstream.type} service sends ${upstream.sends}; here each trigger's built-in ${section} part is sent instead`,
    );
  }
  return out;
}

/** The load warning for a subscription to a built-in trigger the ConfigMap does not define. */
export const UNDEFINED_BUILTIN_TRIGGER_DIFFERENCE = (triggers: readonly string[]) =>
  `built-in trigger(s) not defined in this ConfigMap: ${triggers.map((t) => `"${t}"`).join(", ")}: Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates`;
