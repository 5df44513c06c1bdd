// `rollouts-notifier run|watcher|worker`: the long-running modes. Flags and their environment variables are
// the table in docs/settings.md; they are validated before anything starts.

import type { Command } from "commander";
import type { startNotifier } from "../../app/notifier.ts";
import { redactSecrets } from "../../redaction/secret-redactor.ts";
import { type RunFlags, type RunMode, resolveRunSettings, SettingsError } from "../settings.ts";

const DESCRIPTIONS: Record<RunMode, string> = {
  run: "watch the cluster (leader-elected) and deliver notifications, in one process (the default mode)",
  watcher: "watch the cluster (leader-elected) and enqueue notifications; no delivery",
  worker: "deliver queued notifications; no watching",
};

export async function runMode(mode: RunMode, flags: RunFlags): Promise<void> {
  let settings: ReturnType<typeof resolveRunSettings>;
  try {
    settings = resolveRunSettings(mode, flags);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`rollouts-notifier ${mode}: ${redactSecrets(err.message)}\n`);
      process.exit(2);
    }
    throw err;
  }
  let notifier: Awaited<ReturnType<typeof startNotifier>>;
  try {
    // loaded only once the settings are valid: a bad setting is reported without loading the whole service
    const { startNotifier } = await import("../../app/notifier.ts");
    notifier = await startNotifier(settings);
  } catch (err) {
    process.stderr.write(
      `rollouts-notifier ${mode}: cannot start: ${redactSecrets((err as Error).message)}\n`,
    );
    process.exit(1);
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    notifier.logger.info({ signal }, "shutting down: finishing in-flight deliveries");
    void notifier.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** The Redis flags of the long-running modes and `dlq` (passwords only from the environment). */
export function withRedisOptions(command: Command): Command {
  return command
    .option("--redis-url <url>", "Redis URL, redis:// or rediss:// (env REDIS_URL)")
    .option(
      "--redis-sentinels <host:port,…>",
      "Redis Sentinel addresses instead of a URL (env REDIS_SENTINELS)",
    )
    .option(
      "--redis-sentinel-master <name>",
      "name of the primary the sentinels monitor (env REDIS_SENTINEL_MASTER; default mymaster)",
    )
    .option(
      "--redis-sentinel-username <user>",
      "ACL user of the sentinels (env REDIS_SENTINEL_USERNAME; password: env REDIS_SENTINEL_PASSWORD)",
    )
    .option("--redis-cluster <host:port,…>", "Redis Cluster seed nodes instead of a URL (env REDIS_CLUSTER)")
    .option("--redis-username <user>", "Redis ACL user (env REDIS_USERNAME; password: env REDIS_PASSWORD)")
    .option("--redis-tls", "TLS to every Redis node and sentinel (env REDIS_TLS; implied by rediss://)")
    .option(
      "--redis-tls-ca-file <file>",
      "PEM CA bundle that signs the Redis certificates (env REDIS_TLS_CA_FILE)",
    )
    .option("--redis-tls-cert-file <file>", "PEM client certificate (env REDIS_TLS_CERT_FILE)")
    .option("--redis-tls-key-file <file>", "PEM client key (env REDIS_TLS_KEY_FILE)")
    .option(
      "--redis-tls-insecure",
      "do not verify the Redis server certificate (env REDIS_TLS_INSECURE; tests only)",
    );
}

export function registerRunCommands(program: Command): void {
  for (const mode of ["run", "watcher", "worker"] as const) {
    withRedisOptions(program.command(mode))
      .description(DESCRIPTIONS[mode])
      .option(
        "--kubeconfig <file>",
        "kubeconfig file (env KUBECONFIG; in-cluster config when unset inside a Pod)",
      )
      .option(
        "--namespace <ns>",
        "namespace of the service's ConfigMap, Secret and Lease (env POD_NAMESPACE)",
      )
      .option("--watch-namespaces <a,b>", "namespaces to watch (env WATCH_NAMESPACES; default all)")
      .option("--selector <selector>", "label selector for watched Rollouts (env WATCH_SELECTOR)")
      .option("--configmap <name>", "config ConfigMap name (env NOTIFIER_CONFIGMAP)")
      .option("--secret <name>", "config Secret name (env NOTIFIER_SECRET)")
      .option("--annotation-prefix <prefix>", "subscription annotation prefix (env ANNOTATION_PREFIX)")
      .option("--concurrency <n>", "deliveries in flight per process (env WORKER_CONCURRENCY)")
      .option(
        "--tenant-concurrency <n>",
        "deliveries in flight per process to one namespace's own services (env TENANT_CONCURRENCY; default a quarter of --concurrency)",
      )
      .option("--log-level <level>", "log level (env LOG_LEVEL)")
      .option("--http-port <port>", "port of /metrics, /healthz, /readyz (env HTTP_PORT)")
      .option("--lease-name <name>", "leader-election Lease name (env LEASE_NAME)")
      .option("--lease-namespace <ns>", "leader-election Lease namespace (env LEASE_NAMESPACE)")
      .option("--lease-duration-seconds <n>", "Lease duration (env LEASE_DURATION_SECONDS; default 15)")
      .option(
        "--lease-renew-deadline-seconds <n>",
        "leader steps down when it cannot renew for this long (env LEASE_RENEW_DEADLINE_SECONDS; default 10)",
      )
      .option(
        "--lease-retry-period-seconds <n>",
        "how often to try to acquire/renew (env LEASE_RETRY_PERIOD_SECONDS; default 2)",
      )
      .option(
        "--worker-lock-ms <n>",
        "lease of an in-flight delivery, renewed while it runs; a dead worker's job is taken back after it (env WORKER_LOCK_DURATION_MS; default 30000)",
      )
      .option(
        "--worker-stalled-interval-ms <n>",
        "grace before a lease seen run out is taken back, and an idle worker's longest wait (at most 5000); same on every worker (env WORKER_STALLED_INTERVAL_MS; default 30000)",
      )
      .option(
        "--retry-base-delay-ms <n>",
        "first retry backoff cap, doubling per attempt, full jitter (env RETRY_BASE_DELAY_MS; default 1000)",
      )
      .option(
        "--retry-max-attempts <n>",
        "delivery attempts before a dead letter (env RETRY_MAX_ATTEMPTS; default 15)",
      )
      .option(
        "--retry-max-delay-ms <n>",
        "upper bound of one retry backoff (env RETRY_MAX_DELAY_MS; default 300000)",
      )
      .option(
        "--history <on|off>",
        "record the delivery history for the console (env HISTORY_ENABLED; default on)",
      )
      .option(
        "--history-transitions-per-rollout <n>",
        "transitions kept per Rollout (env HISTORY_TRANSITIONS_PER_ROLLOUT; default 50)",
      )
      .option(
        "--history-max-age-hours <n>",
        "history kept this long (env HISTORY_MAX_AGE_HOURS; default 168)",
      )
      .option(
        "--history-max-rollouts <n>",
        "Rollouts kept in the history (env HISTORY_MAX_ROLLOUTS; default 2000)",
      )
      .option(
        "--rollout-events <on|off>",
        "Kubernetes Events on the Rollout for delivery outcomes (env ROLLOUT_EVENTS; default on)",
      )
      .option("--resync-seconds <n>", "informer resync period, 0 = off (env RESYNC_SECONDS)")
      .option(
        "--max-destinations-per-transition <n>",
        "destinations one transition may notify; beyond: a reported problem (env MAX_DESTINATIONS_PER_TRANSITION; default 50)",
      )
      .option(
        "--render-timeout-ms <n>",
        "time for all renders of one transition (env RENDER_TIMEOUT_MS; default 2000)",
      )
      .option(
        "--render-max-output-bytes <n>",
        "output of one template field (env RENDER_MAX_OUTPUT_BYTES; default 1000000)",
      )
      .option(
        "--render-max-iterations <n>",
        "loop iterations + helper calls of one notification (env RENDER_MAX_ITERATIONS; default 10000)",
      )
      .option("--render-max-depth <n>", "block nesting of a template (env RENDER_MAX_DEPTH; default 24)")
      .option(
        "--render-share-percent <n>",
        "percent of the time a namespace with its own config may take to render, evaluate its conditions and load that config, averaged (env RENDER_SHARE_PERCENT; default 10)",
      )
      .option(
        "--allow-private-webhooks",
        "let namespace self-service webhooks reach private addresses (env ALLOW_PRIVATE_WEBHOOKS)",
      )
      .action(async (flags: RunFlags) => {
        await runMode(mode, flags);
      });
  }
}
