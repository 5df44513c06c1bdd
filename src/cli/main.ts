#!/usr/bin/env node
// The rollouts-notifier CLI. Each command registers itself from its own file under ./commands.
import { Command } from "commander";
import { loadKubeConfigWithoutGeneratedApis } from "./kube-config-without-generated-apis.ts";

// Before any command's modules load: KubeConfig without client-node's generated API models (~25 MB less memory).
loadKubeConfigWithoutGeneratedApis();

// Output piped into `head` and the like: a closed pipe ends the command quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const program = new Command("rollouts-notifier").description(
  "Notifications for Argo Rollouts: exactly once, in order, to Slack, PagerDuty, email, Teams, webhooks and more",
);

// Each command's module (and what it needs) is loaded only when that command runs; a bare `--help`, an unknown
// command or no command loads them all, so the overview and commander's suggestions list every command.
type Register = (program: Command) => void;
const COMMANDS: [string[], () => Promise<Register>][] = [
  [["replay"], async () => (await import("./commands/replay.ts")).registerReplayCommand],
  [["run", "watcher", "worker"], async () => (await import("./commands/run.ts")).registerRunCommands],
  [["dlq"], async () => (await import("./commands/dlq.ts")).registerDlqCommand],
  [["silence"], async () => (await import("./commands/silence.ts")).registerSilenceCommand],
  [["migrate"], async () => (await import("./commands/migrate.ts")).registerMigrateCommand],
  [["template"], async () => (await import("./commands/template.ts")).registerTemplateCommand],
  [["trigger"], async () => (await import("./commands/trigger.ts")).registerTriggerCommand],
  [
    ["redis-initial-password"],
    async () => (await import("./commands/redis-initial-password.ts")).registerRedisInitialPasswordCommand,
  ],
];
const invoked = process.argv[2];
const only = COMMANDS.find(([names]) => invoked !== undefined && names.includes(invoked));
for (const [, load] of only ? [only] : COMMANDS) (await load())(program);

await program.parseAsync(process.argv);
