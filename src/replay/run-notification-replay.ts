// `replay --config …`: the whole pipeline over a recorded history, offline. Detection (built-in + custom
// triggers) → routing, trigger plan and rendering (planNotifications, as the live watcher) → one of:
//   dry-run  print one JSON line per notification (service-shaped payload, secrets redacted)
//   deliver  enqueue and deliver through the real sinks (the Redis queue, or the in-process queue), then a summary
//   capture  the same queue, but capture sinks record what would be sent (readable lines; raw JSON to a dir)
// Problems (config keys, templates, annotations, custom conditions, input documents) go to stderr naming the
// object and key; each loses only its own notifications. Resolves to the exit code: 0, or 1 when anything was
// reported as an error or dead-lettered.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../kube/objects.ts";
import { createLogger, type Logger } from "../logger.ts";
import type { RetryPolicy } from "../queue/retry-policy.ts";
import { processRedactor } from "../redaction/secret-redactor.ts";
import { createSinks } from "../sinks/create-sinks.ts";
import { type CapturedDelivery, createCaptureSinks } from "./capture-sinks.ts";
import { dryRunLineOf, formatCapturedLine } from "./notification-lines.ts";
import type { ReplayItem } from "./parse-documents.ts";
import { formatPipelineProblem, planReplayNotifications } from "./plan-replay-notifications.ts";
import { ReplayConfig } from "./replay-config.ts";
import { type ReplayDelivery, startReplayDelivery } from "./replay-delivery.ts";
import { ReplayDetector } from "./replay-detector.ts";
import { replayDocuments } from "./replay-documents.ts";
import { ReplayWorld } from "./replay-world.ts";
import { buildWirePayload, redactSecrets } from "./wire-payload.ts";

export type NotificationReplayMode = "dry-run" | "deliver" | "capture";

export interface NotificationReplayOptions {
  items: ReplayItem[];
  /** Names the input in messages ("<stdin>" or the file). */
  source: string;
  /** ConfigMaps, Secrets and Namespaces from --config/--secret, applied before the history. */
  configObjects: KubeObject[];
  mode: NotificationReplayMode;
  namespace?: string;
  configMapName?: string;
  secretName?: string;
  annotationPrefix?: string;
  /** The time templates and conditions see (fixed for deterministic output). */
  now?: Date;
  /** capture: where raw payloads are written ("-" or undefined: only the readable lines). */
  captureDir?: string;
  redisUrl?: string;
  queueName?: string;
  retry?: Partial<RetryPolicy>;
  /** Per-destination rate limits (Slack 1/s); off in capture mode. */
  rateLimit?: boolean;
  allowPrivateWebhooks?: boolean;
  /** Request timeout of the sinks' API calls (default: each sink's own). */
  sinkTimeoutMs?: number;
  settleTimeoutMs?: number;
  logger?: Logger;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  formatInputError(e: { index: string; line: number; message: string }): string;
}

export async function runNotificationReplay(o: NotificationReplayOptions): Promise<number> {
  const now = o.now ?? new Date();
  const logger = o.logger ?? createLogger({ level: "error" });
  let failed = false;
  const seen = new Set<string>();
  let config: ReplayConfig | undefined;
  const redact = (text: string) =>
    processRedactor.redact(config ? redactSecrets(text, config.secretValues()) : text);
  const error = (message: string) => {
    failed = true;
    const line = `error: ${redact(message)}\n`;
    if (seen.has(line)) return;
    seen.add(line);
    o.stderr.write(line);
  };
  const warning = (message: string) => {
    const line = `warning: ${redact(message)}\n`;
    if (seen.has(line)) return;
    seen.add(line);
    o.stderr.write(line);
  };

  config = new ReplayConfig({
    namespace: o.namespace ?? "argo-rollouts",
    ...(o.configMapName ? { configMapName: o.configMapName } : {}),
    ...(o.secretName ? { secretName: o.secretName } : {}),
    onError: error,
    onWarning: warning,
  });
  const cfg = config;
  const world = new ReplayWorld();
  for (const obj of o.configObjects) if (obj.kind === "Namespace") world.put(obj);
  cfg.seed(o.configObjects);

  let delivery: ReplayDelivery | undefined;
  let closeSinks: (() => Promise<void>) | undefined;
  let captured = 0;
  if (o.mode !== "dry-run") {
    const onCapture = (c: CapturedDelivery) => {
      captured++;
      o.stdout.write(`${redact(formatCapturedLine(c))}\n`);
      if (o.captureDir && o.captureDir !== "-") {
        const file = `${String(captured).padStart(3, "0")}-${c.service}-${c.recipient || "webhook"}.json`;
        writeFileSync(
          join(o.captureDir, file.replace(/[^A-Za-z0-9._-]/g, "_")),
          `${redact(JSON.stringify(c, null, 2))}\n`,
        );
      }
    };
    if (o.mode === "capture" && o.captureDir && o.captureDir !== "-")
      mkdirSync(o.captureDir, { recursive: true });
    const sinks =
      o.mode === "capture"
        ? createCaptureSinks({ now, onCapture })
        : createSinks({
            logger,
            allowPrivateNetworks: o.allowPrivateWebhooks === true,
            ...(o.sinkTimeoutMs !== undefined ? { timeoutMs: o.sinkTimeoutMs } : {}),
          });
    if (o.mode === "deliver") closeSinks = () => (sinks as ReturnType<typeof createSinks>).close();
    if (!o.redisUrl) {
      o.stderr.write(
        "replay: in-process queue (not durable: what is not delivered when this process ends is lost; --redis-url for the durable queue)\n",
      );
    }
    delivery = await startReplayDelivery({
      ...(o.redisUrl ? { redisUrl: o.redisUrl } : {}),
      ...(o.queueName ? { queueName: o.queueName } : {}),
      sinks: (type) => sinks.sinkFor(type),
      resolveService: (name, tenant) => cfg.resolveService(name, tenant),
      logger,
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.mode === "capture" || o.rateLimit === false ? { rateLimitFor: () => undefined } : {}),
      // capture: one at a time, so the printed order is the same on every run
      ...(o.mode === "capture" ? { concurrency: 1 } : {}),
    });
  }

  let printed = 0;
  const printedIds = new Set<string>();
  try {
    const summary = await replayDocuments(
      o.items,
      {
        onObject(obj, deleted) {
          cfg.observe(obj, deleted);
        },
        onError(e) {
          failed = true;
          o.stderr.write(o.formatInputError(e));
        },
        onTriggerProblems(problems, obj) {
          for (const p of problems) {
            error(
              `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}: trigger "${p.trigger}" ([${p.index}]): ${p.message}`,
            );
          }
        },
        async onTransitions(transitions, ctx) {
          const { planned, problems } = planReplayNotifications({
            transitions,
            world: ctx.world,
            configFor: (ns) => cfg.configFor(ns),
            ...(o.annotationPrefix ? { annotationPrefix: o.annotationPrefix } : {}),
            now,
            detectedAt: Date.now(),
          });
          for (const p of problems) error(formatPipelineProblem(p));
          if (delivery) {
            await delivery.enqueue(planned.map((p) => p.job));
            // capture: settle each document's notifications before the next, so lines come in transition order
            if (o.mode === "capture") await delivery.settle(o.settleTimeoutMs);
            return;
          }
          for (const p of planned) {
            const { job } = p;
            // as the queue does: a job id seen before (e.g. a oncePer value again) is not sent again
            if (printedIds.has(job.jobId)) continue;
            printedIds.add(job.jobId);
            const service = cfg.resolveService(job.destination.service, job.tenantNamespace);
            const dest = `${job.destination.service}${job.destination.recipient ? `:${job.destination.recipient}` : ""}`;
            const what = `${p.transition.object.kind}/${p.transition.object.namespace}/${p.transition.object.name} ${p.transition.trigger} → ${dest}`;
            if (!service) {
              error(`${what}: service "${job.destination.service}" is not configured`);
              continue;
            }
            // out of render budget: already reported as a template problem; the queue would dead-letter it
            if (job.notification.renderFailure) continue;
            try {
              const payload = buildWirePayload({
                jobId: job.jobId,
                destination: job.destination,
                service,
                notification: job.notification,
                now,
              });
              o.stdout.write(
                `${redact(JSON.stringify(dryRunLineOf(p.transition, job.destination, p.templates, payload)))}\n`,
              );
              printed++;
            } catch (err) {
              error(`${what}: ${(err as Error).message}`);
            }
          }
        },
      },
      { world, detector: new ReplayDetector({ configFor: (ns) => cfg.configFor(ns), now: () => now }) },
    );
    if (summary.errors > 0) failed = true;

    if (delivery) {
      let outcome: Awaited<ReturnType<ReplayDelivery["settle"]>>;
      try {
        outcome = await delivery.settle(o.settleTimeoutMs);
      } catch (err) {
        error(`replay: ${(err as Error).message}`);
        return 1;
      }
      const { report, deadLetters } = outcome;
      const verb = o.mode === "capture" ? "captured" : "delivered";
      o.stdout.write(
        `\n${report.delivered.length} notification${report.delivered.length === 1 ? "" : "s"} ${verb}, ${report.deadLettered.length} dead-lettered` +
          `${outcome.duplicates > 0 ? ` (${outcome.duplicates} already known to the queue)` : ""}` +
          ` — ${summary.transitions} trigger${summary.transitions === 1 ? "" : "s"} from ${summary.documents} document${summary.documents === 1 ? "" : "s"}.\n`,
      );
      for (const l of deadLetters) {
        const j = l.job;
        const dest = `${j.destination.service}${j.destination.recipient ? `:${j.destination.recipient}` : ""}`;
        o.stdout.write(
          redact(
            `dead-lettered: ${j.transition.trigger} ${j.transition.object.kind}/${j.transition.object.namespace}/${j.transition.object.name} → ${dest} after ${l.attempts} attempt${l.attempts === 1 ? "" : "s"}: ${l.reason.code}: ${l.reason.message}\n`,
          ),
        );
      }
      if (report.deadLettered.length > 0) failed = true;
    } else if (o.mode === "dry-run" && printed === 0 && !failed) {
      o.stderr.write(`${o.source}: no notifications (no subscription matched any trigger)\n`);
    }
  } finally {
    await delivery?.close();
    await closeSinks?.();
  }
  return failed ? 1 : 0;
}
