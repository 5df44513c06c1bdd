// `rollouts-notifier dlq list [--json] | retry ID|--all | purge`: the dead letters of the durable queue.
// Exit codes: 0 done; 1 failed (Redis unreachable, no such dead letter); 2 usage (no Redis URL, bad arguments).

import { type Command, Option } from "commander";
import type { DeadLetter } from "../../queue/notification-queue.ts";
import { RedisNotificationQueue } from "../../queue/redis-notification-queue.ts";
import { DEFAULT_QUEUE_NAME } from "../../queue/redis-queue-store.ts";
import { processRedactor } from "../../redaction/secret-redactor.ts";
import type { RedisClient, RedisConnectionSettings } from "../../redis/redis-connection.ts";
import { describeRedisError, openCliRedisWith } from "../cli-redis.ts";
import { type RedisFlags, resolveRedisSettings, SettingsError } from "../settings.ts";
import { withRedisOptions } from "./run.ts";

export interface DlqIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
  setExitCode(code: number): void;
}

const processIO: DlqIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

class UsageError extends Error {}

interface CommonFlags extends RedisFlags {
  queueName?: string;
}

export function registerDlqCommand(program: Command, io: DlqIO = processIO): void {
  const dlq = program
    .command("dlq")
    .description("list, retry or purge dead letters (notifications that could not be delivered)");
  const common = (cmd: Command) =>
    withRedisOptions(cmd).addOption(
      new Option("--queue-name <name>", "queue name").default(DEFAULT_QUEUE_NAME).hideHelp(),
    );

  common(dlq.command("list").description("show dead letters, oldest first"))
    .option("--json", "one JSON array of dead-letter records")
    .action((flags: CommonFlags & { json?: boolean }) =>
      withQueue(io, flags, async (q) => {
        const letters = await q.listDeadLetters();
        // stored redacted (delivery-failure.ts); scrubbed again for any secret this process knows
        io.stdout.write(
          processRedactor.redact(
            flags.json ? `${JSON.stringify(letters, null, 2)}\n` : formatDeadLetterTable(letters),
          ),
        );
      }),
    );

  common(dlq.command("retry [id]").description("put a dead letter (or --all) back on the queue"))
    .option("--all", "retry every dead letter")
    .action((id: string | undefined, flags: CommonFlags & { all?: boolean }) =>
      withQueue(io, flags, async (q) => {
        if (flags.all && id) throw new UsageError("give either an ID or --all, not both");
        if (flags.all) {
          io.stdout.write(`retried ${await q.retryAllDeadLetters()} dead letter(s)\n`);
          return;
        }
        if (!id) throw new UsageError("give the ID of a dead letter (see `dlq list`) or --all");
        if (!(await q.retryDeadLetter(id))) {
          io.stderr.write(`dlq retry: no dead letter with id ${JSON.stringify(id)}\n`);
          io.setExitCode(1);
          return;
        }
        io.stdout.write(`retried ${id}\n`);
      }),
    );

  common(
    dlq.command("purge").description("delete every dead letter (their ids stay known: no re-delivery)"),
  ).action((flags: CommonFlags) =>
    withQueue(io, flags, async (q) => {
      io.stdout.write(`purged ${await q.purgeDeadLetters()} dead letter(s)\n`);
    }),
  );
}

async function withQueue(
  io: DlqIO,
  flags: CommonFlags,
  fn: (q: RedisNotificationQueue) => Promise<void>,
): Promise<void> {
  const named = [flags.redisUrl, flags.redisSentinels, flags.redisCluster];
  named.push(io.env.REDIS_URL, io.env.REDIS_SENTINELS, io.env.REDIS_CLUSTER);
  if (!named.some(Boolean)) {
    io.stderr.write("dlq: no Redis: pass --redis-url or set REDIS_URL\n");
    io.setExitCode(2);
    return;
  }
  let settings: RedisConnectionSettings;
  try {
    settings = resolveRedisSettings(flags, io.env);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    io.stderr.write(`dlq: ${err.message}\n`);
    io.setExitCode(2);
    return;
  }
  let connection: RedisClient | undefined;
  let queue: RedisNotificationQueue | undefined;
  try {
    connection = await openCliRedisWith(settings);
    queue = new RedisNotificationQueue({ connection, queueName: flags.queueName ?? DEFAULT_QUEUE_NAME });
    await fn(queue);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`dlq: ${err.message}\n`);
      io.setExitCode(2);
    } else {
      io.stderr.write(`dlq: ${describeRedisError(err, settings)}\n`);
      io.setExitCode(1);
    }
  } finally {
    await queue?.close().catch(() => {});
    connection?.disconnect();
  }
}

export function formatDeadLetterTable(letters: DeadLetter[]): string {
  if (letters.length === 0) return "no dead letters\n";
  const rows = letters.map((l) => [
    l.id,
    l.job.destination.service,
    l.job.destination.recipient || "-",
    l.job.transition.trigger,
    `${l.job.transition.object.namespace}/${l.job.transition.object.name}`,
    String(l.attempts),
    new Date(l.deadLetteredAt).toISOString(),
    `${l.reason.code}: ${l.reason.message}`.replace(/\s+/g, " "),
  ]);
  const header = ["ID", "SERVICE", "RECIPIENT", "TRIGGER", "OBJECT", "ATTEMPTS", "DEAD-LETTERED", "REASON"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n${letters.length} dead letter(s)\n`;
}
