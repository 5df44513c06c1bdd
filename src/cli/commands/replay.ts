// `rollouts-notifier replay FILE|-`: a recorded history of Argo Rollouts objects, offline (no cluster).
//   --triggers-only (default without --config)  one JSON line per detected trigger
//   --explain                                  a readable list of the triggers
//   --config CM.yaml [--secret S.yaml]         the whole pipeline (src/replay/run-notification-replay.ts):
//       --dry-run        one JSON line per notification (rendered, service-shaped, secrets redacted)
//       --capture DIR|-  deliver through the queue to capture sinks: a readable line per notification (+ raw JSON)
//       (neither)        deliver through the queue (--redis-url/REDIS_URL: the durable Redis queue; else in-process) to the sinks
//   --demo             --capture - on the embedded example config (examples/config/demo-notifications.yaml)
// Reading the input and the flags live here; parsing, detection and the pipeline are in src/replay.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { KubeObject } from "../../kube/objects.ts";
import { createLogger } from "../../logger.ts";
import { formatDemoLine, formatTriggerLine } from "../../replay/format-transitions.ts";
import { parseReplayInput, type ReplayInputError, type ReplayItem } from "../../replay/parse-documents.ts";
import { type ReplayHandler, type ReplaySummary, replayDocuments } from "../../replay/replay-documents.ts";
import { type NotificationReplayMode, runNotificationReplay } from "../../replay/run-notification-replay.ts";
import type { Transition } from "../../triggers/transition.ts";
import { isWatchEvent } from "../../triggers/transition-detector.ts";
import { OPT_IN_TRIGGERS } from "../../triggers/trigger-names.ts";

/** The demo's embedded defaults: an upstream-format config (Slack, PagerDuty, a webhook) and a fixed time. */
export const DEMO_CONFIG = fileURLToPath(
  new URL("../../../examples/config/demo-notifications.yaml", import.meta.url),
);
export const DEMO_NOW = "2026-03-04T09:05:00Z";

export interface ReplayOptions {
  triggersOnly?: boolean;
  /** The readable trigger list (what `--demo` printed before delivery was wired in). */
  explain?: boolean;
  /** --capture - on the embedded demo config, at a fixed time. */
  demo?: boolean;
  config?: string;
  secret?: string;
  dryRun?: boolean;
  capture?: string;
  namespace?: string;
  configmapName?: string;
  secretName?: string;
  annotationPrefix?: string;
  now?: string;
  redisUrl?: string;
  queueName?: string;
  allowPrivateWebhooks?: boolean;
  maxAttempts?: string;
  retryBaseMs?: string;
  retryMaxMs?: string;
  /** commander's --no-rate-limit sets this to false. */
  rateLimit?: boolean;
  timeoutMs?: string;
  logLevel?: string;
  /** Also print opt-in triggers (on-scaling-replica-set), which are only sent when a subscription names them. */
  optIn?: boolean;
}

function printable(transitions: Transition[], opts: ReplayOptions): Transition[] {
  return opts.optIn
    ? transitions
    : transitions.filter((t) => !(OPT_IN_TRIGGERS as readonly string[]).includes(t.trigger));
}

export interface ReplayIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readInput(file: string): Promise<string>;
}

export const processIO: ReplayIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  readInput: (file) => (file === "-" ? readStdin() : readFile(file, "utf8")),
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function formatInputError(source: string, e: ReplayInputError): string {
  return `${source}: document ${e.index} (line ${e.line}): ${e.message}\n`;
}

/** Prints one JSON object per detected trigger (the default until delivery is wired in). */
export function triggerLinesHandler(io: ReplayIO, source: string, opts: ReplayOptions = {}): ReplayHandler {
  return {
    onTransitions(transitions) {
      for (const t of printable(transitions, opts)) io.stdout.write(`${formatTriggerLine(t)}\n`);
    },
    onError(e) {
      io.stderr.write(formatInputError(source, e));
    },
  };
}

/** A readable account of what happened and what would be notified. */
export function demoHandler(
  io: ReplayIO,
  source: string,
  opts: ReplayOptions = {},
): ReplayHandler & { finish(s: ReplaySummary): void } {
  let n = 0;
  io.stdout.write(`rollouts-notifier replay of ${source} (offline: no cluster, no Redis)\n\n`);
  return {
    onTransitions(transitions, ctx) {
      for (const t of printable(transitions, opts))
        io.stdout.write(`${formatDemoLine(t, ++n)}   [doc ${ctx.document.index}]\n`);
    },
    onError(e) {
      io.stderr.write(formatInputError(source, e));
    },
    finish(s) {
      io.stdout.write(
        `\n${n} trigger${n === 1 ? "" : "s"} from ${s.documents} document${s.documents === 1 ? "" : "s"}` +
          `${s.errors > 0 ? `, ${s.errors} bad document${s.errors === 1 ? "" : "s"}` : ""}.\n`,
      );
    },
  };
}

/** Runs a replay; resolves to the exit code (1 when any document was bad, 2 when the input cannot be read). */
export async function runReplay(
  file: string,
  opts: ReplayOptions,
  io: ReplayIO = processIO,
): Promise<number> {
  const source = file === "-" ? "<stdin>" : file;
  let text: string;
  try {
    text = await io.readInput(file);
  } catch (err) {
    io.stderr.write(`${source}: cannot read: ${(err as Error).message}\n`);
    return 2;
  }
  const items = parseReplayInput(text);
  if (opts.demo) {
    opts = { ...opts, config: opts.config ?? DEMO_CONFIG, now: opts.now ?? DEMO_NOW };
    if (!opts.dryRun) opts.capture ??= "-";
  }
  if (opts.config !== undefined || opts.secret !== undefined) return runPipeline(items, source, opts, io);
  const demo = opts.explain ? demoHandler(io, source, opts) : undefined;
  const summary = await replayDocuments(items, demo ?? triggerLinesHandler(io, source, opts));
  demo?.finish(summary);
  return summary.errors > 0 ? 1 : 0;
}

function positiveInt(flag: string, value: string | undefined, io: ReplayIO): number | undefined | null {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    io.stderr.write(`replay: ${flag} must be a non-negative integer, got ${JSON.stringify(value)}\n`);
    return null;
  }
  return n;
}

async function readConfigObjects(
  files: string[],
  io: ReplayIO,
): Promise<{ objects: KubeObject[]; ok: boolean }> {
  const objects: KubeObject[] = [];
  let ok = true;
  for (const file of files) {
    let text: string;
    try {
      text = await io.readInput(file);
    } catch (err) {
      io.stderr.write(`${file}: cannot read: ${(err as Error).message}\n`);
      return { objects, ok: false };
    }
    for (const item of parseReplayInput(text)) {
      if (!item.ok) {
        ok = false;
        io.stderr.write(formatInputError(file, item));
        continue;
      }
      const obj = isWatchEvent(item.input) ? item.input.object : item.input;
      if (obj.kind !== "ConfigMap" && obj.kind !== "Secret" && obj.kind !== "Namespace") {
        ok = false;
        io.stderr.write(
          `${file}: document ${item.index} (line ${item.line}): ${obj.kind} ignored (expected ConfigMap, Secret or Namespace)\n`,
        );
        continue;
      }
      objects.push(obj);
    }
  }
  return { objects, ok };
}

async function runPipeline(
  items: ReplayItem[],
  source: string,
  opts: ReplayOptions,
  io: ReplayIO,
): Promise<number> {
  const files = [opts.config, opts.secret].filter((f): f is string => f !== undefined);
  const { objects, ok } = await readConfigObjects(files, io);
  if (!ok && objects.length === 0) return 2;
  let now: Date | undefined;
  if (opts.now !== undefined) {
    now = new Date(opts.now);
    if (Number.isNaN(now.getTime())) {
      io.stderr.write(
        `replay: --now ${JSON.stringify(opts.now)} is not a date (e.g. 2026-03-04T09:05:00Z)\n`,
      );
      return 2;
    }
  }
  const maxAttempts = positiveInt("--max-attempts", opts.maxAttempts, io);
  const baseDelayMs = positiveInt("--retry-base-ms", opts.retryBaseMs, io);
  const maxDelayMs = positiveInt("--retry-max-ms", opts.retryMaxMs, io);
  const timeoutMs = positiveInt("--timeout-ms", opts.timeoutMs, io);
  if (maxAttempts === null || baseDelayMs === null || maxDelayMs === null || timeoutMs === null) return 2;
  const retry = {
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(baseDelayMs !== undefined ? { baseDelayMs } : {}),
    ...(maxDelayMs !== undefined ? { maxDelayMs } : {}),
  };
  const mode: NotificationReplayMode = opts.dryRun
    ? "dry-run"
    : opts.capture !== undefined
      ? "capture"
      : "deliver";
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  const code = await runNotificationReplay({
    items,
    source,
    configObjects: objects,
    mode,
    namespace: opts.namespace ?? process.env.POD_NAMESPACE ?? "argo-rollouts",
    ...(opts.configmapName ? { configMapName: opts.configmapName } : {}),
    ...(opts.secretName ? { secretName: opts.secretName } : {}),
    ...(opts.annotationPrefix ? { annotationPrefix: opts.annotationPrefix } : {}),
    ...(now ? { now } : {}),
    ...(opts.capture !== undefined ? { captureDir: opts.capture } : {}),
    ...(redisUrl && mode !== "dry-run" ? { redisUrl } : {}),
    ...(opts.queueName ? { queueName: opts.queueName } : {}),
    retry,
    rateLimit: opts.rateLimit !== false,
    allowPrivateWebhooks: opts.allowPrivateWebhooks === true || process.env.ALLOW_PRIVATE_WEBHOOKS === "true",
    ...(timeoutMs !== undefined ? { settleTimeoutMs: timeoutMs } : {}),
    logger: createLogger({ level: opts.logLevel ?? "error" }),
    stdout: io.stdout,
    stderr: io.stderr,
    formatInputError: (e) => formatInputError(source, e),
  });
  return ok ? code : Math.max(code, 1);
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description(
      "replay a recorded history (YAML multi-doc, JSON lines or `kubectl get -w -o json` output; - = stdin): detect triggers, or with --config route, render and deliver",
    )
    .argument("<file>", "history file, or - for stdin")
    .option("--triggers-only", "print one JSON object per detected trigger (default without --config)")
    .option("--explain", "print a readable list of the detected triggers")
    .option("--opt-in", "also print opt-in triggers (on-scaling-replica-set)")
    .option("--demo", "capture on the embedded example config at a fixed time (npm run demo)")
    .option("--config <file>", "notification ConfigMap YAML (may also hold the Secret and Namespaces)")
    .option("--secret <file>", "notification Secret YAML")
    .option("--dry-run", "print one JSON line per notification instead of sending")
    .option(
      "--capture <dir>",
      "record what would be sent instead of sending: a line per notification, raw JSON in DIR (- = none)",
    )
    .option("--namespace <ns>", "the service namespace (its ConfigMap/Secret are the service-level config)")
    .option("--configmap-name <name>", "config ConfigMap name (default argo-rollouts-notification-configmap)")
    .option("--secret-name <name>", "config Secret name (default argo-rollouts-notification-secret)")
    .option("--annotation-prefix <p>", "subscription annotation prefix (default notifications.argoproj.io)")
    .option("--now <time>", "the time templates and conditions see (RFC 3339), for deterministic output")
    .option(
      "--redis-url <url>",
      "deliver through the durable queue on this Redis (env REDIS_URL); else an in-process queue",
    )
    .option("--queue-name <name>", "queue name (default rollouts-notifier-replay)")
    .option(
      "--allow-private-webhooks",
      "let namespace self-service services reach private/loopback addresses",
    )
    .option("--max-attempts <n>", "delivery attempts before a notification is dead-lettered (default 8)")
    .option("--retry-base-ms <ms>", "backoff of the first retry, doubling per attempt (default 1000)")
    .option("--retry-max-ms <ms>", "backoff cap (default 300000)")
    .option("--no-rate-limit", "no per-destination rate limit (Slack 1/s per channel otherwise)")
    .option("--timeout-ms <ms>", "give up waiting for deliveries after this long")
    .option("--log-level <level>", "pino level of delivery logs on stderr (default error)")
    .action(async (file: string, opts: ReplayOptions) => {
      process.exitCode = await runReplay(file, opts);
    });
}
