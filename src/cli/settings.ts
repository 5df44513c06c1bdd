// Settings of the long-running modes (run, watcher, worker): every flag has an environment variable
// (docs/settings.md is the table). Validated at start; an error names the setting and its source.

import { hostname } from "node:os";
import { tenantSlotLimits } from "../queue/tenant-slots.ts";
import {
  parseHostPorts,
  type RedisConnectionSettings,
  type RedisTlsSettings,
} from "../redis/redis-connection.ts";
import { DEFAULT_RENDER_SHARE_PERCENT } from "../templates/render-share.ts";

export type RunMode = "run" | "watcher" | "worker";

export interface RunSettings {
  mode: RunMode;
  kubeconfig: string | undefined;
  namespace: string;
  redis: RedisConnectionSettings;
  watchNamespaces: string[] | undefined;
  selector: string | undefined;
  configMapName: string;
  secretName: string;
  annotationPrefix: string;
  concurrency: number;
  /** Deliveries in flight per process to one namespace's own services (src/queue/tenant-slots.ts). */
  tenantConcurrency: number;
  logLevel: string;
  httpPort: number;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  leaseRenewDeadlineSeconds: number;
  leaseRetryPeriodSeconds: number;
  identity: string;
  /** Lease of an in-flight delivery; a killed worker's job is taken back after it (and a stalled interval). */
  workerLockMs: number;
  workerStalledIntervalMs: number;
  retryBaseDelayMs: number;
  retryMaxAttempts: number;
  retryMaxDelayMs: number;
  allowPrivateWebhooks: boolean;
  resyncSeconds: number;
  /** Cap on destinations of one transition; beyond it a problem is reported. */
  maxDestinationsPerTransition: number;
  /** Render budgets (src/templates/render-budget.ts, docs/security.md). */
  renderTimeoutMs: number;
  renderMaxOutputBytes: number;
  renderMaxIterations: number;
  renderMaxDepth: number;
  /** Percent of the time one namespace's own templates may take to render and load (render-share.ts). */
  renderSharePercent: number;
  /** The console's delivery history (src/history). */
  historyEnabled: boolean;
  historyTransitionsPerRollout: number;
  historyMaxAgeHours: number;
  historyMaxRollouts: number;
  /** Kubernetes Events on the Rollout for delivery outcomes. */
  rolloutEvents: boolean;
  /** Static bearer token for the console's writes (env only: CONSOLE_TOKEN, from a Secret). */
  consoleToken: string | undefined;
}

/** Raw flag values as commander gives them (strings or undefined). */
/** The Redis flags (every long-running mode and `dlq`). Passwords come from the environment only. */
export interface RedisFlags {
  redisUrl?: string;
  redisSentinels?: string;
  redisSentinelMaster?: string;
  redisSentinelUsername?: string;
  redisCluster?: string;
  redisUsername?: string;
  redisTls?: boolean;
  redisTlsCaFile?: string;
  redisTlsCertFile?: string;
  redisTlsKeyFile?: string;
  redisTlsInsecure?: boolean;
}

export interface RunFlags extends RedisFlags {
  kubeconfig?: string;
  namespace?: string;
  watchNamespaces?: string;
  selector?: string;
  configmap?: string;
  secret?: string;
  annotationPrefix?: string;
  concurrency?: string;
  tenantConcurrency?: string;
  logLevel?: string;
  httpPort?: string;
  leaseName?: string;
  leaseNamespace?: string;
  leaseDurationSeconds?: string;
  leaseRenewDeadlineSeconds?: string;
  leaseRetryPeriodSeconds?: string;
  allowPrivateWebhooks?: boolean;
  resyncSeconds?: string;
  workerLockMs?: string;
  workerStalledIntervalMs?: string;
  retryBaseDelayMs?: string;
  retryMaxAttempts?: string;
  retryMaxDelayMs?: string;
  maxDestinationsPerTransition?: string;
  renderTimeoutMs?: string;
  renderMaxOutputBytes?: string;
  renderMaxIterations?: string;
  renderMaxDepth?: string;
  renderSharePercent?: string;
  history?: string;
  historyTransitionsPerRollout?: string;
  historyMaxAgeHours?: string;
  historyMaxRollouts?: string;
  rolloutEvents?: string;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A setting's value and where it came from: the flag if given, else the environment variable (empty = unset). */
function pickSetting(
  env: NodeJS.ProcessEnv,
  flag: string | undefined,
  flagName: string,
  envName: string,
): [string | undefined, string] {
  if (flag !== undefined) return [flag, `--${flagName}`];
  const v = env[envName];
  return [v === "" ? undefined : v, envName];
}

const truthy = (v: string | undefined) => ["1", "true", "yes"].includes((v ?? "").toLowerCase());

/**
 * Where Redis is and how to reach it: one of REDIS_URL (one server), REDIS_SENTINELS (+ REDIS_SENTINEL_MASTER)
 * or REDIS_CLUSTER; ACL credentials; TLS. Throws SettingsError naming the setting.
 */
export function resolveRedisSettings(
  flags: RedisFlags,
  env: NodeJS.ProcessEnv = process.env,
): RedisConnectionSettings {
  const pick = (flag: string | undefined, flagName: string, envName: string) =>
    pickSetting(env, flag, flagName, envName);
  const hostPorts = (raw: string, src: string) => {
    try {
      return parseHostPorts(raw);
    } catch (err) {
      throw new SettingsError(`${src}: ${(err as Error).message} (expected host:port,host:port,…)`);
    }
  };
  const [urlRaw, urlSrc] = pick(flags.redisUrl, "redis-url", "REDIS_URL");
  const [sentinelsRaw, sentinelsSrc] = pick(flags.redisSentinels, "redis-sentinels", "REDIS_SENTINELS");
  const [clusterRaw, clusterSrc] = pick(flags.redisCluster, "redis-cluster", "REDIS_CLUSTER");
  const given = [urlRaw && urlSrc, sentinelsRaw && sentinelsSrc, clusterRaw && clusterSrc].filter(Boolean);
  if (given.length === 0) {
    throw new SettingsError(
      "--redis-url / REDIS_URL: required (e.g. redis://redis:6379), or --redis-sentinels / REDIS_SENTINELS, or --redis-cluster / REDIS_CLUSTER",
    );
  }
  if (given.length > 1) throw new SettingsError(`${given.join(" and ")}: give only one of them`);

  const [caFile] = pick(flags.redisTlsCaFile, "redis-tls-ca-file", "REDIS_TLS_CA_FILE");
  const [certFile, certSrc] = pick(flags.redisTlsCertFile, "redis-tls-cert-file", "REDIS_TLS_CERT_FILE");
  const [keyFile, keySrc] = pick(flags.redisTlsKeyFile, "redis-tls-key-file", "REDIS_TLS_KEY_FILE");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new SettingsError(
      `${certFile ? certSrc : keySrc}: a client certificate needs both cert and key files`,
    );
  }
  const insecure = flags.redisTlsInsecure ?? truthy(env.REDIS_TLS_INSECURE);
  const tlsOn =
    (flags.redisTls ?? truthy(env.REDIS_TLS)) ||
    insecure ||
    !!caFile ||
    !!certFile ||
    urlRaw?.startsWith("rediss:");
  let tls: RedisTlsSettings | undefined;
  if (tlsOn) {
    tls = {};
    if (caFile) tls.caFile = caFile;
    if (certFile) tls.certFile = certFile;
    if (keyFile) tls.keyFile = keyFile;
    if (insecure) tls.insecure = true;
  }

  let settings: RedisConnectionSettings;
  if (urlRaw) {
    let url: URL;
    try {
      url = new URL(urlRaw);
    } catch {
      throw new SettingsError(`${urlSrc}: not a URL`);
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      throw new SettingsError(`${urlSrc}: expected a redis:// or rediss:// URL, got ${url.protocol}//…`);
    }
    settings = { topology: { kind: "server", url: urlRaw } };
  } else if (sentinelsRaw) {
    const [master, masterSrc] = pick(
      flags.redisSentinelMaster,
      "redis-sentinel-master",
      "REDIS_SENTINEL_MASTER",
    );
    const masterName = master ?? "mymaster";
    if (!/^[\w.-]{1,128}$/.test(masterName))
      throw new SettingsError(`${masterSrc}: "${masterName}" is not a master name`);
    settings = {
      topology: { kind: "sentinel", sentinels: hostPorts(sentinelsRaw, sentinelsSrc), masterName },
    };
    const [sentinelUser] = pick(
      flags.redisSentinelUsername,
      "redis-sentinel-username",
      "REDIS_SENTINEL_USERNAME",
    );
    if (sentinelUser !== undefined) settings.sentinelUsername = sentinelUser;
    if (env.REDIS_SENTINEL_PASSWORD) settings.sentinelPassword = env.REDIS_SENTINEL_PASSWORD;
  } else {
    settings = { topology: { kind: "cluster", nodes: hostPorts(clusterRaw!, clusterSrc) } };
  }
  const [username] = pick(flags.redisUsername, "redis-username", "REDIS_USERNAME");
  if (username !== undefined) settings.username = username;
  if (env.REDIS_PASSWORD) settings.password = env.REDIS_PASSWORD;
  if (tls) settings.tls = tls;
  return settings;
}

export function resolveRunSettings(
  mode: RunMode,
  flags: RunFlags,
  env: NodeJS.ProcessEnv = process.env,
): RunSettings {
  const pick = (flag: string | undefined, flagName: string, envName: string) =>
    pickSetting(env, flag, flagName, envName);
  const int = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    def: number,
    min: number,
    max: number,
  ) => {
    const [raw, src] = pick(flag, flagName, envName);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new SettingsError(`${src}: expected an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
  const name = (flag: string | undefined, flagName: string, envName: string, def: string, re: RegExp) => {
    const [raw, src] = pick(flag, flagName, envName);
    const v = raw ?? def;
    if (!re.test(v) || v.length > 253)
      throw new SettingsError(`${src}: "${v}" is not a valid Kubernetes name`);
    return v;
  };

  const namespace = name(flags.namespace, "namespace", "POD_NAMESPACE", "argo-rollouts", DNS_LABEL);

  const redis = resolveRedisSettings(flags, env);

  const [nsRaw, nsSrc] = pick(flags.watchNamespaces, "watch-namespaces", "WATCH_NAMESPACES");
  let watchNamespaces: string[] | undefined;
  if (nsRaw !== undefined) {
    watchNamespaces = nsRaw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const ns of watchNamespaces) {
      if (!DNS_LABEL.test(ns)) throw new SettingsError(`${nsSrc}: "${ns}" is not a valid namespace name`);
    }
    if (watchNamespaces.length === 0) watchNamespaces = undefined;
  }

  const [selector] = pick(flags.selector, "selector", "WATCH_SELECTOR");
  if (selector !== undefined && !/^[\w./,=!() -]*$/.test(selector)) {
    throw new SettingsError(`--selector / WATCH_SELECTOR: "${selector}" is not a label selector`);
  }

  const [levelRaw, levelSrc] = pick(flags.logLevel, "log-level", "LOG_LEVEL");
  const logLevel = levelRaw ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new SettingsError(`${levelSrc}: expected one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }

  const [annotationPrefixRaw] = pick(flags.annotationPrefix, "annotation-prefix", "ANNOTATION_PREFIX");
  const annotationPrefix = annotationPrefixRaw ?? "notifications.argoproj.io";
  if (!DNS_SUBDOMAIN.test(annotationPrefix)) {
    throw new SettingsError(
      `--annotation-prefix / ANNOTATION_PREFIX: "${annotationPrefix}" is not a DNS subdomain`,
    );
  }

  const bool = (flag: string | undefined, flagName: string, envName: string, def: boolean) => {
    const [raw, src] = pick(flag, flagName, envName);
    if (raw === undefined) return def;
    const v = raw.toLowerCase();
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
    throw new SettingsError(`${src}: expected on/off (true/false), got "${raw}"`);
  };

  const [kubeconfig] = pick(flags.kubeconfig, "kubeconfig", "KUBECONFIG");
  const allowPrivate = flags.allowPrivateWebhooks ?? truthy(env.ALLOW_PRIVATE_WEBHOOKS);

  const leaseDurationSeconds = int(
    flags.leaseDurationSeconds,
    "lease-duration-seconds",
    "LEASE_DURATION_SECONDS",
    15,
    1,
    3600,
  );
  const leaseRenewDeadlineSeconds = int(
    flags.leaseRenewDeadlineSeconds,
    "lease-renew-deadline-seconds",
    "LEASE_RENEW_DEADLINE_SECONDS",
    Math.min(10, leaseDurationSeconds),
    1,
    3600,
  );
  const leaseRetryPeriodSeconds = int(
    flags.leaseRetryPeriodSeconds,
    "lease-retry-period-seconds",
    "LEASE_RETRY_PERIOD_SECONDS",
    Math.min(2, leaseRenewDeadlineSeconds),
    1,
    3600,
  );
  if (leaseRenewDeadlineSeconds > leaseDurationSeconds) {
    throw new SettingsError("LEASE_RENEW_DEADLINE_SECONDS must not exceed LEASE_DURATION_SECONDS");
  }
  if (leaseRetryPeriodSeconds > leaseRenewDeadlineSeconds) {
    throw new SettingsError("LEASE_RETRY_PERIOD_SECONDS must not exceed LEASE_RENEW_DEADLINE_SECONDS");
  }

  const concurrency = int(flags.concurrency, "concurrency", "WORKER_CONCURRENCY", 32, 1, 1000);
  return {
    mode,
    leaseDurationSeconds,
    leaseRenewDeadlineSeconds,
    leaseRetryPeriodSeconds,
    kubeconfig,
    namespace,
    redis,
    watchNamespaces,
    selector,
    configMapName: name(
      flags.configmap,
      "configmap",
      "NOTIFIER_CONFIGMAP",
      "argo-rollouts-notification-configmap",
      DNS_SUBDOMAIN,
    ),
    secretName: name(
      flags.secret,
      "secret",
      "NOTIFIER_SECRET",
      "argo-rollouts-notification-secret",
      DNS_SUBDOMAIN,
    ),
    annotationPrefix,
    concurrency,
    tenantConcurrency: int(
      flags.tenantConcurrency,
      "tenant-concurrency",
      "TENANT_CONCURRENCY",
      tenantSlotLimits(concurrency).perNamespace,
      1,
      1000,
    ),
    logLevel,
    httpPort: int(flags.httpPort, "http-port", "HTTP_PORT", 9090, 0, 65535),
    leaseName: name(flags.leaseName, "lease-name", "LEASE_NAME", "rollouts-notifier", DNS_SUBDOMAIN),
    leaseNamespace: name(flags.leaseNamespace, "lease-namespace", "LEASE_NAMESPACE", namespace, DNS_LABEL),
    identity: env.POD_NAME || `${hostname()}-${process.pid}`,
    allowPrivateWebhooks: allowPrivate,
    workerLockMs: int(
      flags.workerLockMs,
      "worker-lock-ms",
      "WORKER_LOCK_DURATION_MS",
      30_000,
      1_000,
      3_600_000,
    ),
    workerStalledIntervalMs: int(
      flags.workerStalledIntervalMs,
      "worker-stalled-interval-ms",
      "WORKER_STALLED_INTERVAL_MS",
      30_000,
      1_000,
      3_600_000,
    ),
    retryBaseDelayMs: int(
      flags.retryBaseDelayMs,
      "retry-base-delay-ms",
      "RETRY_BASE_DELAY_MS",
      1_000,
      1,
      3_600_000,
    ),
    retryMaxAttempts: int(flags.retryMaxAttempts, "retry-max-attempts", "RETRY_MAX_ATTEMPTS", 15, 1, 1_000),
    retryMaxDelayMs: int(
      flags.retryMaxDelayMs,
      "retry-max-delay-ms",
      "RETRY_MAX_DELAY_MS",
      300_000,
      1,
      86_400_000,
    ),
    resyncSeconds: int(flags.resyncSeconds, "resync-seconds", "RESYNC_SECONDS", 600, 0, 86_400),
    maxDestinationsPerTransition: int(
      flags.maxDestinationsPerTransition,
      "max-destinations-per-transition",
      "MAX_DESTINATIONS_PER_TRANSITION",
      50,
      1,
      100_000,
    ),
    renderTimeoutMs: int(flags.renderTimeoutMs, "render-timeout-ms", "RENDER_TIMEOUT_MS", 2_000, 10, 600_000),
    renderMaxOutputBytes: int(
      flags.renderMaxOutputBytes,
      "render-max-output-bytes",
      "RENDER_MAX_OUTPUT_BYTES",
      1_000_000,
      1_000,
      100_000_000,
    ),
    renderMaxIterations: int(
      flags.renderMaxIterations,
      "render-max-iterations",
      "RENDER_MAX_ITERATIONS",
      10_000,
      100,
      100_000_000,
    ),
    renderMaxDepth: int(flags.renderMaxDepth, "render-max-depth", "RENDER_MAX_DEPTH", 24, 2, 1_000),
    renderSharePercent: int(
      flags.renderSharePercent,
      "render-share-percent",
      "RENDER_SHARE_PERCENT",
      DEFAULT_RENDER_SHARE_PERCENT,
      1,
      100,
    ),
    historyEnabled: bool(flags.history, "history", "HISTORY_ENABLED", true),
    historyTransitionsPerRollout: int(
      flags.historyTransitionsPerRollout,
      "history-transitions-per-rollout",
      "HISTORY_TRANSITIONS_PER_ROLLOUT",
      50,
      1,
      1_000,
    ),
    historyMaxAgeHours: int(
      flags.historyMaxAgeHours,
      "history-max-age-hours",
      "HISTORY_MAX_AGE_HOURS",
      168,
      1,
      8_760,
    ),
    historyMaxRollouts: int(
      flags.historyMaxRollouts,
      "history-max-rollouts",
      "HISTORY_MAX_ROLLOUTS",
      2_000,
      1,
      100_000,
    ),
    rolloutEvents: bool(flags.rolloutEvents, "rollout-events", "ROLLOUT_EVENTS", true),
    consoleToken: env.CONSOLE_TOKEN ? env.CONSOLE_TOKEN : undefined,
  };
}
