// Settings of the long-running modes (run, watcher, worker): every flag has an environment variable
// (docs/settings.md is the table). Validated at start; an error names the setting and its source.
import { hostname } from "node:os";

export type RunMode = "run" | "watcher" | "worker";

export interface RunSettings {
  mode: RunMode;
  kubeconfig: string | undefined;
  namespace: string;
  redisUrl: string;
  watchNamespaces: string[] | undefined;
  selector: string | undefined;
  configMapName: string;
  secretName: string;
  annotationPrefix: string;
  concurrency: number;
  logLevel: string;
  httpPort: number;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  leaseRenewDeadlineSeconds: number;
  leaseRetryPeriodSeconds: number;
  identity: string;
  /** BullMQ lock of an in-flight delivery; a killed worker's job is taken over after it (and a stall check). */
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
}

/** Raw flag values as commander gives them (strings or undefined). */
export interface RunFlags {
  kubeconfig?: string;
  namespace?: string;
  redisUrl?: string;
  watchNamespaces?: string;
  selector?: string;
  configmap?: string;
  secret?: string;
  annotationPrefix?: string;
  concurrency?: string;
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

export function resolveRunSettings(
  mode: RunMode,
  flags: RunFlags,
  env: NodeJS.ProcessEnv = process.env,
): RunSettings {
  const pick = (
    flag: string | undefined,
    flagName: string,
    envName: string,
  ): [string | undefined, string] => {
    if (flag !== undefined) return [flag, `--${flagName}`];
    const v = env[envName];
    return [v === "" ? undefined : v, envName];
  };
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

  const [redisRaw, redisSrc] = pick(flags.redisUrl, "redis-url", "REDIS_URL");
  if (!redisRaw) throw new SettingsError("--redis-url / REDIS_URL: required (e.g. redis://redis:6379)");
  let redisUrl: URL;
  try {
    redisUrl = new URL(redisRaw);
  } catch {
    throw new SettingsError(`${redisSrc}: not a URL`);
  }
  if (redisUrl.protocol !== "redis:" && redisUrl.protocol !== "rediss:") {
    throw new SettingsError(`${redisSrc}: expected a redis:// or rediss:// URL, got ${redisUrl.protocol}//…`);
  }

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

  const [kubeconfig] = pick(flags.kubeconfig, "kubeconfig", "KUBECONFIG");
  const allowPrivate =
    flags.allowPrivateWebhooks ??
    ["1", "true", "yes"].includes((env.ALLOW_PRIVATE_WEBHOOKS ?? "").toLowerCase());

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

  return {
    mode,
    leaseDurationSeconds,
    leaseRenewDeadlineSeconds,
    leaseRetryPeriodSeconds,
    kubeconfig,
    namespace,
    redisUrl: redisRaw,
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
    concurrency: int(flags.concurrency, "concurrency", "WORKER_CONCURRENCY", 8, 1, 1000),
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
  };
}
