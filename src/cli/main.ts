#!/usr/bin/env node
// The rollouts-notifier CLI. Each command registers itself from its own file under ./commands.
import { Command } from "commander";
import { registerDlqCommand } from "./commands/dlq.ts";
import { registerMigrateCommand } from "./commands/migrate.ts";
import { registerReplayCommand } from "./commands/replay.ts";
import { registerRunCommands } from "./commands/run.ts";
import { registerTemplateCommand } from "./commands/template.ts";
import { registerTriggerCommand } from "./commands/trigger.ts";

const program = new Command("rollouts-notifier").description(
  "Notifications for Argo Rollouts: exactly once, in order, to Slack, PagerDuty and webhooks",
);
registerReplayCommand(program);
registerRunCommands(program);
registerDlqCommand(program);
registerMigrateCommand(program);
registerTemplateCommand(program);
registerTriggerCommand(program);

await program.parseAsync(process.argv);
