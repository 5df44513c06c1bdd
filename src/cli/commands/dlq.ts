// `rollouts-notifier dlq list [--json] [filter] | retry ID|--all | purge [ID | filter]`: the dead letters of the
// durable queue. The filter (--namespace, --rollout, --service) matches as the console's does; a purge is recorded
// in the delivery history as purged by `cli:<user>` (--author, else the OS user).
// Exit codes: 0 done; 1 failed (Redis unreachable, no such dead letter); 2 usage (no Redis URL, bad arguments).

import { type Command, Option } from "commander";
import { DeliveryHistory } from "../../history/delivery-history.ts";
import {
  type DeadLetterFilter,
  DeadLetterFilterError,
  deadLetterFilterOf,
  describeFilter,
  isEmptyFilter,
  matchesDeadLetter,
  purgeMatchingDeadLetters,
} from "../../queue/dead-letter-filter.ts";
import type { DeadLetter } from "../../queue/notification-queue.ts";
import { RedisNotificationQueue } from "../../queue/redis-notification-queue.ts";
import { DEFAULT_QUEUE_NAME } from "../../queue/redis-queue-store.ts";
import { processRedactor } from "../../redaction/secret-redactor.ts";
import type { RedisClient, RedisConnectionSettings } from "../../redis/redis-connection.ts";
import { cliAuthor } from "../cli-author.ts";
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

interface FilterFlags {
  namespace?: string;
  rollout?: string;
  service?: string;
}

const withFilter = (cmd: Command, what: string) =>
  cmd
    .option("--namespace <ns>", `${what} about Rollouts in this namespace`)
    .option("--rollout <name>", `${what} about this Rollout (by name)`)
    .option("--service <name>", `${what} for this service (slack, a webhook's name...)`);

function filterOf(flags: FilterFlags): DeadLetterFilter {
  try {
    return deadLetterFilterOf({ namespace: flags.namespace, rollout: flags.rollout, service: flags.service });
  } catch (err) {
    if (err instanceof DeadLetterFilterError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerDlqCommand(program: Command, io: DlqIO = processIO): void {
  const dlq = program
    .command("dlq")
    .description("list, retry or purge dead letters (notifications that could not be delivered)");
  const common = (cmd: Command) =>
    withRedisOptions(cmd).addOption(
      new Option("--queue-name <name>", "queue name").default(DEFAULT_QUEUE_NAME).hideHelp(),
    );

  withFilter(common(dlq.command("list").description("show dead letters, oldest first")), "only those")
    .option("--json", "one JSON array of dead-letter records")
    .action((flags: CommonFlags & FilterFlags & { json?: boolean }) =>
      withQueue(io, flags, async (q) => {
        const filter = filterOf(flags);
        const letters = (await q.listDeadLetters()).filter((l) => matchesDeadLetter(l, filter));
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

  withFilter(
    common(
      dlq
        .command("purge [id]")
        .description(
          "delete a dead letter, those a filter matches, or every one (their ids stay known: no re-delivery)",
        ),
    ),
    "only those",
  )
    .option("--author <name>", "who is doing this, for the history (default: the OS user)")
    .action((id: string | undefined, flags: CommonFlags & FilterFlags & { author?: string }) =>
      withQueue(io, flags, async (q, connection) => {
        const filter = filterOf(flags);
        if (id && !isEmptyFilter(filter)) throw new UsageError("give either an ID or a filter, not both");
        const by = cliAuthor(io.env, flags.author);
        const history = new DeliveryHistory(connection);
        if (id) {
          if (!(await q.purgeDeadLetter(id))) {
            io.stderr.write(`dlq purge: no dead letter with id ${JSON.stringify(id)}\n`);
            io.setExitCode(1);
            return;
          }
          await history.setOutcome(id, "purged", `purged by ${by}`);
          io.stdout.write(`purged ${id}\n`);
          return;
        }
        const purged = await purgeMatchingDeadLetters(q, filter);
        for (const l of purged) await history.setOutcome(l.id, "purged", `purged by ${by}`);
        const scope = isEmptyFilter(filter) ? "" : ` (${describeFilter(filter)})`;
        io.stdout.write(`purged ${purged.length} dead letter(s)${scope}\n`);
      }),
    );
}

async function withQueue(
  io: DlqIO,
  flags: CommonFlags,
  fn: (q: RedisNotificationQueue, connection: RedisClient) => Promise<void>,
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
    await fn(queue, connection);
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
