#!/usr/bin/env node
// The rollouts-notifier CLI. Each command registers itself from its own file under ./commands.
import { Command } from "commander";
import { registerDlqCommand } from "./commands/dlq.ts";
import { registerMigrateCommand } from "./commands/migrate.ts";
import { registerReplayCommand } from "./commands/replay.ts";
import { registerRunCommands } from "./commands/run.ts";
import { registerSilenceCommand } from "./commands/silence.ts";
import { registerTemplateCommand } from "./commands/template.ts";
import { registerTriggerCommand } from "./commands/trigger.ts";

// Output piped into `head` and the like: a closed pipe ends the command quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const program = new Command("rollouts-notifier").description(
  "Notifications for Argo Rollouts: exactly once, in order, to Slack, PagerDuty and webhooks",
);
registerReplayCommand(program);
registerRunCommands(program);
registerDlqCommand(program);
registerSilenceCommand(program);
registerMigrateCommand(program);
registerTemplateCommand(program);
registerTriggerCommand(program);

await program.parseAsync(process.argv);
