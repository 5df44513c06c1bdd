// Prometheus metrics (prom-client). One registry per process; names are the contract with the Helm chart's
// PrometheusRule and docs/metrics.md. Labels never carry secrets (service names and triggers only).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  const m = {
    registry,
    transitions: new Counter({
      name: "rollouts_notifier_transitions_total",
      help: "Lifecycle transitions detected, by trigger.",
      labelNames: ["trigger"],
      registers: [registry],
    }),
    enqueued: new Counter({
      name: "rollouts_notifier_notifications_enqueued_total",
      help: "Notifications put on the delivery queue, by service.",
      labelNames: ["service"],
      registers: [registry],
    }),
    silenced: new Counter({
      name: "rollouts_notifier_notifications_silenced_total",
      help: "Notifications held back by a silence or a mute-until annotation (recorded, never sent), by service.",
      labelNames: ["service"],
      registers: [registry],
    }),
    delivered: new Counter({
      name: "rollouts_notifier_notifications_delivered_total",
      help: "Notifications delivered, by service.",
      labelNames: ["service"],
      registers: [registry],
    }),
    failed: new Counter({
      name: "rollouts_notifier_notifications_failed_total",
      help: "Delivery attempts that failed (transient or permanent), by service.",
      labelNames: ["service", "reason"],
      registers: [registry],
    }),
    retried: new Counter({
      name: "rollouts_notifier_notifications_retried_total",
      help: "Deliveries scheduled for another attempt, by service.",
      labelNames: ["service"],
      registers: [registry],
    }),
    deferred: new Counter({
      name: "rollouts_notifier_notifications_deferred_total",
      help: "Deliveries put off because their namespace's own services used their share of a worker's slots, by namespace.",
      labelNames: ["namespace"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "rollouts_notifier_notifications_dead_lettered_total",
      help: "Notifications moved to the dead-letter list, by service.",
      labelNames: ["service"],
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: "rollouts_notifier_dead_letters",
      help: "Dead letters waiting (see `rollouts-notifier dlq list`).",
      registers: [registry],
    }),
    latency: new Histogram({
      name: "rollouts_notifier_delivery_latency_seconds",
      help: "Time from transition detection to delivery, by service.",
      labelNames: ["service"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "rollouts_notifier_queue_depth",
      help: "Notifications waiting for delivery (waiting + delayed).",
      registers: [registry],
    }),
    oldestJobAge: new Gauge({
      name: "rollouts_notifier_queue_oldest_job_age_seconds",
      help: "Age of the oldest notification waiting for delivery.",
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: "rollouts_notifier_watch_restarts_total",
      help: "Watch restarts, by resource and reason (expired, watch-error, list-error).",
      labelNames: ["resource", "reason"],
      registers: [registry],
    }),
    configErrors: new Counter({
      name: "rollouts_notifier_config_errors_total",
      help: "Configuration errors (ConfigMap/Secret keys, templates, annotations), by source.",
      labelNames: ["source"],
      registers: [registry],
    }),
    configWarnings: new Counter({
      name: "rollouts_notifier_config_warnings_total",
      help: "Configuration warnings (accepted as Argo Rollouts accepts it, but unsupported, ignored or different), by source.",
      labelNames: ["source"],
      registers: [registry],
    }),
    leader: new Gauge({
      name: "rollouts_notifier_leader",
      help: "1 when this process holds the leader Lease and watches.",
      registers: [registry],
    }),
    informersSynced: new Gauge({
      name: "rollouts_notifier_informers_synced",
      help: "1 when every informer has completed its initial list.",
      registers: [registry],
    }),
    invalidObjects: new Counter({
      name: "rollouts_notifier_invalid_objects_total",
      help: "Rollout/AnalysisRun events skipped for detection because a field had the wrong type or range, by kind.",
      labelNames: ["kind"],
      registers: [registry],
    }),
    // Upstream Argo Rollouts names, for existing dashboards.
    upstreamSuccess: new Counter({
      name: "notification_send_success",
      help: "Notification send success (Argo Rollouts compatible).",
      labelNames: ["namespace", "name", "type", "reason"],
      registers: [registry],
    }),
    upstreamError: new Counter({
      name: "notification_send_error",
      help: "Notification send error (Argo Rollouts compatible).",
      labelNames: ["namespace", "name", "type", "reason"],
      registers: [registry],
    }),
    upstreamSend: new Histogram({
      name: "notification_send",
      help: "Notification send performance (Argo Rollouts compatible).",
      labelNames: ["namespace", "name"],
      buckets: [0.01, 0.15, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
