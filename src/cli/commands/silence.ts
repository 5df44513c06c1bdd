// `rollouts-notifier silence add|list|expire`: silences from the command line (the console's Silences page does
// the same). Whoever can reach the Redis may write: the author is --author, else the OS user, prefixed "cli:".
// Exit codes: 0 done; 1 failed (Redis unreachable, no such silence); 2 usage (no Redis URL, bad arguments).
import type { Command } from "commander";
import type { Redis } from "ioredis";
import { describeMatchers, isActive, type Silence, SilenceRequestError } from "../../silences/silence.ts";
import { SilenceStore } from "../../silences/silence-store.ts";
import { cliAuthor } from "../cli-author.ts";
import { describeRedisError, openCliRedis } from "../cli-redis.ts";
import type { DlqIO } from "./dlq.ts";

const processIO: DlqIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

interface CommonFlags {
  redisUrl?: string;
  author?: string;
}

class UsageError extends Error {}

function author(io: DlqIO, flags: CommonFlags): string {
  return cliAuthor(io.env, flags.author);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSilenceCommand(program: Command, io: DlqIO = processIO): void {
  const silence = program
    .command("silence")
    .description("hold back matching notifications for a while (recorded as silenced, never sent)");
  const common = (cmd: Command) =>
    cmd
      .option("--redis-url <url>", "Redis of the queue (default: $REDIS_URL)")
      .option("--author <name>", "who is doing this (default: the OS user)");

  common(silence.command("add").description("create a silence (at least one matcher, a comment and an end)"))
    .option("--namespace <ns>", "match notifications about Rollouts in this namespace")
    .option("--rollout <name>", "match this Rollout (by name)")
    .option("--label <k=v>", "match Rollouts with this label (repeatable)", collect)
    .option("--trigger <name>", "match this trigger")
    .option("--service <name>", "match this service (slack, pagerdutyv2, a webhook's name)")
    .option("--recipient <name>", "match this recipient (channel, routing key name...)")
    .option("--duration <d>", "how long, from the start: 30m, 2h, 1h30m, 1d")
    .option("--starts-at <time>", "RFC 3339 start (default: now)")
    .option("--ends-at <time>", "RFC 3339 end (instead of --duration)")
    .option("--comment <text>", "why (required)")
    .option("--summary", "on expiry, send one message per destination listing what was held back")
    .option("--json", "print the silence as JSON")
    .action(
      (
        flags: CommonFlags & {
          namespace?: string;
          rollout?: string;
          label?: string[];
          trigger?: string;
          service?: string;
          recipient?: string;
          duration?: string;
          startsAt?: string;
          endsAt?: string;
          comment?: string;
          summary?: boolean;
          json?: boolean;
        },
      ) =>
        withStore(io, flags, async (store) => {
          const labels: Record<string, string> = {};
          for (const l of flags.label ?? []) {
            const i = l.indexOf("=");
            if (i <= 0) throw new UsageError(`--label ${JSON.stringify(l)}: expected key=value`);
            labels[l.slice(0, i)] = l.slice(i + 1);
          }
          const matchers: Record<string, unknown> = {};
          for (const k of ["namespace", "rollout", "trigger", "service", "recipient"] as const) {
            if (flags[k]) matchers[k] = flags[k];
          }
          if (Object.keys(labels).length > 0) matchers.labels = labels;
          const req: Parameters<SilenceStore["create"]>[0] = {
            matchers,
            comment: flags.comment ?? "",
            summary: flags.summary === true,
          };
          if (flags.duration !== undefined) req.duration = flags.duration;
          if (flags.startsAt !== undefined) req.startsAt = flags.startsAt;
          if (flags.endsAt !== undefined) req.endsAt = flags.endsAt;
          const s = await store.create(req, author(io, flags));
          io.stdout.write(
            flags.json
              ? `${JSON.stringify(s, null, 2)}\n`
              : `created silence ${s.id} (${describeMatchers(s.matchers)}) until ${new Date(s.endsAt).toISOString()}\n`,
          );
        }),
    );

  common(silence.command("list").description("show silences, newest first"))
    .option("--all", "also those that ended (kept a week)")
    .option("--json", "one JSON array")
    .action((flags: CommonFlags & { all?: boolean; json?: boolean }) =>
      withStore(io, flags, async (store) => {
        const now = Date.now();
        const list = (await store.list()).filter((s) => flags.all || s.endsAt > now);
        io.stdout.write(flags.json ? `${JSON.stringify(list, null, 2)}\n` : formatSilenceTable(list, now));
      }),
    );

  common(silence.command("expire <id>").description("end a silence now")).action(
    (id: string, flags: CommonFlags) =>
      withStore(io, flags, async (store) => {
        const s = await store.expire(id, author(io, flags));
        if (!s) {
          io.stderr.write(`silence expire: no active silence with id ${JSON.stringify(id)}\n`);
          io.setExitCode(1);
          return;
        }
        io.stdout.write(`expired silence ${id}\n`);
      }),
  );
}

async function withStore(
  io: DlqIO,
  flags: CommonFlags,
  fn: (s: SilenceStore) => Promise<void>,
): Promise<void> {
  const url = flags.redisUrl ?? (io.env.REDIS_URL || undefined);
  if (!url) {
    io.stderr.write("silence: no Redis: pass --redis-url or set REDIS_URL\n");
    io.setExitCode(2);
    return;
  }
  let connection: Redis | undefined;
  try {
    connection = await openCliRedis(url);
    await fn(new SilenceStore(connection));
  } catch (err) {
    if (err instanceof UsageError || err instanceof SilenceRequestError) {
      io.stderr.write(`silence: ${err.message}\n`);
      io.setExitCode(2);
    } else {
      io.stderr.write(`silence: ${describeRedisError(err, url)}\n`);
      io.setExitCode(1);
    }
  } finally {
    connection?.disconnect();
  }
}

export function formatSilenceTable(list: Silence[], now: number): string {
  if (list.length === 0) return "no silences\n";
  const rows = list.map((s) => [
    s.id,
    isActive(s, now) ? "active" : s.startsAt > now ? "pending" : "expired",
    describeMatchers(s.matchers),
    new Date(s.endsAt).toISOString(),
    s.createdBy,
    s.comment.replace(/\s+/g, " "),
  ]);
  const header = ["ID", "STATE", "MATCHES", "ENDS", "BY", "COMMENT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n${list.length} silence(s)\n`;
}
