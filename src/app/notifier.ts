// The composition root of the long-running modes:
//   run     = watcher (leader-elected) + delivery workers in one process (the default)
//   watcher = leader-elected watcher only: detects, routes, renders and enqueues
//   worker  = delivery workers only
// Every mode reads the notification config (workers need the services' secrets) and serves /metrics,
// /healthz and /readyz.
import type { KubeConfig } from "@kubernetes/client-node";
import type { RunSettings } from "../cli/settings.ts";
import { ConfigStore } from "../config/config-store.ts";
import { ownEntry } from "../config/tables.ts";
import { startConsole } from "../console/start-console.ts";
import { createLogger, type Logger } from "../logger.ts";
import { startDeliveryWorker } from "../queue/delivery-worker.ts";
import { metricsDeliveryHooks } from "../queue/metrics-hooks.ts";
import { RedisNotificationQueue } from "../queue/redis-notification-queue.ts";
import { watchConnection } from "../redis/connection-watchdog.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { createRedisClient, describeRedisTarget } from "../redis/redis-connection.ts";
import { type HttpServer, startHttpServer } from "../server/http-server.ts";
import { createMetrics, type Metrics } from "../server/metrics.ts";
import { createSinks } from "../sinks/create-sinks.ts";
import { createOncePerObjectReporter } from "../subscriptions/problem-reporter.ts";
import { warmBuiltinTemplates } from "../templates/builtin/index.ts";
import { setTemplateEngineLogger } from "../templates/engine.ts";
import { setDefaultRenderBudget } from "../templates/render-budget.ts";
import { RenderShare } from "../templates/render-share.ts";
import { loadKubeConfig } from "../watch/kube-config.ts";
import { TransitionLog } from "../watch/transition-log.ts";
import { ConfigSource } from "./config-source.ts";
import { configuredDetectors } from "./configured-detectors.ts";
import { deliveryLogHooks } from "./delivery-log-hooks.ts";
import { createHandOff } from "./hand-off.ts";
import { WatcherRole } from "./watcher-role.ts";

export interface RunningNotifier {
  logger: Logger;
  metrics: Metrics;
  http: HttpServer;
  watcherRole?: WatcherRole;
  /** Graceful stop: stops watching, finishes in-flight deliveries, closes connections. */
  stop(): Promise<void>;
}

export interface NotifierOverrides {
  logger?: Logger;
  kc?: KubeConfig;
  /** Leader election timings (tests shorten them). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

const watchingForWarmUp = (mode: RunSettings["mode"]) => mode !== "worker";

export async function startNotifier(
  settings: RunSettings,
  o: NotifierOverrides = {},
): Promise<RunningNotifier> {
  const logger = o.logger ?? createLogger({ level: settings.logLevel });
  setDefaultRenderBudget({
    timeMs: settings.renderTimeoutMs,
    maxOutputChars: settings.renderMaxOutputBytes,
    maxIterations: settings.renderMaxIterations,
    maxDepth: settings.renderMaxDepth,
  });
  // Handlebars' own messages as JSON log lines, never plain text on stderr
  setTemplateEngineLogger((level, message) =>
    logger[level === "error" ? "warn" : level === "debug" ? "debug" : "info"](
      { component: "handlebars" },
      message,
    ),
  );
  const metrics = createMetrics();
  const kc = o.kc ?? loadKubeConfig(settings.kubeconfig);
  const redis: RedisClient = createRedisClient(settings.redis);
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  // a connection that stops answering without closing is made again (src/redis/connection-watchdog.ts)
  const watchdogs = [watchConnection(redis, logger, { name: "main" })];
  const watching = settings.mode !== "worker";
  const delivering = settings.mode !== "watcher";

  const configStore = new ConfigStore({
    logger,
    configMapName: settings.configMapName,
    secretName: settings.secretName,
    namespace: settings.namespace,
    onError: (errors, _scope, central) =>
      metrics.configErrors.inc({ source: central ? "configmap" : "namespace" }, errors.length),
    onWarning: (warnings, scope) =>
      metrics.configWarnings.inc(
        { source: scope === "service" ? "configmap" : `namespace` },
        warnings.length,
      ),
  });
  // each namespace's own templates share the thread (render-share.ts): charged by the hand-off and config reloads
  const renderShare = new RenderShare({
    percent: settings.renderSharePercent,
    burstMs: 2 * settings.renderTimeoutMs,
  });
  const namespaceShare = {
    share: renderShare,
    appliesTo: (ns: string) => configStore.hasNamespaceConfig(ns),
  };
  const configSource = new ConfigSource({
    kc,
    store: configStore,
    renderShare,
    logger,
    namespace: settings.namespace,
    configMapName: settings.configMapName,
    secretName: settings.secretName,
    watchNamespaces: settings.watchNamespaces,
    onWatchRestart: (resource, reason) => metrics.watchRestarts.inc({ resource, reason }),
  });
  const configReady = configSource.start().catch((err: unknown) => {
    logger.error({ err: String(err) }, "config source failed to start");
  });

  // the service never waits for its own enqueues to settle: it keeps no id per notification for that
  const queue = new RedisNotificationQueue({ connection: redis, tracksOwnJobs: false });
  const operatorConsole = startConsole({ settings, kc, queue, logger });

  let watcherRole: WatcherRole | undefined;
  if (watching) {
    const reporter = createOncePerObjectReporter((uid, problem) => {
      metrics.configErrors.inc({ source: "subscription" });
      logger.warn({ uid, problem }, "notification problem");
    });
    watcherRole = new WatcherRole({
      kc,
      redis,
      logger,
      metrics,
      identity: settings.identity,
      leaseName: settings.leaseName,
      leaseNamespace: settings.leaseNamespace,
      leaseDurationMs: o.leaseDurationMs ?? settings.leaseDurationSeconds * 1000,
      renewDeadlineMs: o.renewDeadlineMs ?? settings.leaseRenewDeadlineSeconds * 1000,
      retryPeriodMs: o.retryPeriodMs ?? settings.leaseRetryPeriodSeconds * 1000,
      watchNamespaces: settings.watchNamespaces,
      selector: settings.selector,
      resyncMs: settings.resyncSeconds > 0 ? settings.resyncSeconds * 1000 : undefined,
      detectors: configuredDetectors({
        configFor: (ns) => configStore.forNamespace(ns),
        renderShare: namespaceShare,
        reportProblems: (uid, problems) => reporter.report(uid, problems),
      }),
      handOff: createHandOff({
        queue,
        log: new TransitionLog(redis),
        configFor: (ns) => configStore.forNamespace(ns),
        annotationPrefix: settings.annotationPrefix,
        maxDestinations: settings.maxDestinationsPerTransition,
        logger,
        metrics,
        reportProblems: (uid, problems) => reporter.report(uid, problems),
        silencer: operatorConsole.silencer,
        onHandedOff: operatorConsole.onHandedOff,
        renderShare: namespaceShare,
      }),
    });
    // Detect only once the config is known, so the first events are routed with it.
    void configReady.then(() => watcherRole?.start());
  }

  const sinks = createSinks({ redis, logger, allowPrivateNetworks: settings.allowPrivateWebhooks });
  const workerRedis = delivering ? createRedisClient(settings.redis) : undefined;
  workerRedis?.on("error", (err) => logger.warn({ err: err.message }, "redis connection error (worker)"));
  if (workerRedis) watchdogs.push(watchConnection(workerRedis, logger, { name: "worker" }));
  const worker = workerRedis
    ? await startDeliveryWorker({
        connection: workerRedis,
        sinks: sinks.sinkFor,
        resolveService: (name, tenantNamespace) =>
          ownEntry(
            tenantNamespace
              ? configStore.forNamespace(tenantNamespace).services
              : configStore.current.services,
            name,
          ),
        concurrency: settings.concurrency,
        tenantConcurrency: settings.tenantConcurrency,
        logger,
        holdAtDelivery: operatorConsole.holdAtDelivery,
        hooks: metricsDeliveryHooks(
          metrics,
          operatorConsole.deliveryHooks(deliveryLogHooks(logger, metrics)),
        ),
        lockDurationMs: settings.workerLockMs,
        stalledIntervalMs: settings.workerStalledIntervalMs,
        retry: {
          baseDelayMs: settings.retryBaseDelayMs,
          maxAttempts: settings.retryMaxAttempts,
          maxDelayMs: settings.retryMaxDelayMs,
        },
      })
    : undefined;

  const gauges = setInterval(() => {
    void queue
      .depth()
      .then((d) => {
        metrics.queueDepth.set(d.waiting + d.delayed);
        metrics.oldestJobAge.set(d.oldestAgeMs / 1000);
        metrics.deadLetters.set(d.deadLetters);
      })
      .catch(() => {});
  }, 5_000);
  gauges.unref();

  let stopping: Promise<void> | undefined;
  const http = await startHttpServer({
    port: settings.httpPort,
    registry: metrics.registry,
    // A client that gave up reconnecting never comes back (ioredis status "end"): restart the container.
    liveness: () => {
      if (stopping) return undefined;
      const ended = [redis, workerRedis].filter((c) => c?.status === "end").length;
      return ended > 0 ? `${ended} Redis connection(s) closed for good` : undefined;
    },
    routes: operatorConsole.routes,
    readiness: [
      {
        name: "redis",
        check: async () =>
          (await redis.ping().catch(() => "")) === "PONG" ? undefined : "Redis not reachable",
      },
      {
        name: "config",
        check: () => (configSource.loaded ? undefined : "notification config not loaded yet"),
      },
      {
        name: "config-errors",
        // Reported, not failing: the last good config keeps running.
        check: () => undefined,
        info: () => {
          const r = configStore.readiness();
          const parts: string[] = [];
          if (!r.ok)
            parts.push(`${r.detail.length} config error(s), last good config in use: ${r.detail.join("; ")}`);
          if (r.warnings.length > 0) parts.push(configWarningsDetail(r.warnings));
          return parts.length > 0 ? parts.join("; ") : undefined;
        },
      },
      { name: "informers", check: () => watcherRole?.readiness() },
    ],
  });
  logger.info(
    {
      mode: settings.mode,
      port: http.port,
      identity: settings.identity,
      redis: describeRedisTarget(settings.redis),
    },
    "rollouts-notifier started",
  );
  // built-in templates compiled in the background, one per event-loop turn (not on the first notification), for
  // the service types the config sends to once it is loaded (other sections compile when first rendered)
  if (watchingForWarmUp(settings.mode)) {
    void configReady
      .then(() => warmBuiltinTemplates(Object.values(configStore.current.services).map((s) => s.type)))
      .catch((err: unknown) => logger.warn({ err: String(err) }, "compiling the built-in templates failed"));
  }

  return {
    logger,
    metrics,
    http,
    watcherRole,
    stop() {
      stopping ??= (async () => {
        clearInterval(gauges);
        // Each step is bounded: a Redis or API server that went away must not keep the pod from exiting
        // (Kubernetes would SIGKILL it at the end of the grace period anyway).
        const step = async (name: string, fn: () => Promise<unknown> | unknown, ms = 10_000) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<"timeout">((r) => {
            timer = setTimeout(() => r("timeout"), ms);
          });
          const result = await Promise.race([
            Promise.resolve()
              .then(fn)
              .then(
                () => "ok" as const,
                () => "error" as const,
              ),
            timeout,
          ]);
          clearTimeout(timer);
          if (result !== "ok") logger.warn({ step: name, result }, "shutdown step did not finish cleanly");
          return result;
        };
        await step("watcher", () => watcherRole?.stop());
        configSource.stop();
        if ((await step("delivery worker", () => worker?.close())) !== "ok") {
          await step("delivery worker (forced)", () => worker?.close({ force: true }), 2_000);
        }
        await step("console", () => operatorConsole.stop(), 2_000);
        await step("queue", () => queue.close(), 3_000);
        await step("sinks", () => sinks.close(), 3_000);
        await step("http", () => http.close(), 2_000);
        for (const stopWatchdog of watchdogs) stopWatchdog();
        redis.disconnect();
        workerRedis?.disconnect();
        logger.info("rollouts-notifier stopped");
      })();
      return stopping;
    },
  };
}

const READYZ_MAX_WARNINGS = 10;

/** The config warnings on /readyz: a count and the first few (every one is in the log). */
function configWarningsDetail(warnings: string[]): string {
  const shown = warnings.slice(0, READYZ_MAX_WARNINGS);
  const more = warnings.length - shown.length;
  return `${warnings.length} config warning(s): ${shown.join("; ")}${more > 0 ? `; … ${more} more in the log` : ""}`;
}
