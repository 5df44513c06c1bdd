// `rollouts-notifier migrate FILE`: prints the ConfigMap(s) in FILE with Go templates converted to Handlebars,
// for review (same keys; other keys and documents unchanged). Warnings go to stderr.
// Exit codes: 0 converted (or nothing to convert); 1 a template cannot be converted (the message names the
// template, field and construct) or the YAML is invalid; 2 FILE cannot be read.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { migrateConfigMapYaml } from "../../templates/migrate-configmap.ts";

export interface MigrateIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readFile(path: string): string;
  setExitCode(code: number): void;
}

const processIO: MigrateIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function runMigrate(file: string, io: MigrateIO): void {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (err) {
    io.stderr.write(`error: cannot read ${file}: ${(err as Error).message}\n`);
    io.setExitCode(2);
    return;
  }
  try {
    const result = migrateConfigMapYaml(text);
    for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`);
    if (result.converted.length === 0) io.stderr.write("no Go templates found; nothing converted\n");
    io.stdout.write(result.yaml);
  } catch (err) {
    io.stderr.write(`error: ${file}: ${(err as Error).message}\n`);
    io.setExitCode(1);
  }
}

export function registerMigrateCommand(program: Command, io: MigrateIO = processIO): void {
  program
    .command("migrate")
    .description(
      "print an argo-rollouts-notification-configmap with its Go templates converted to Handlebars (for review)",
    )
    .argument("<file>", "ConfigMap YAML file (- for stdin)")
    .action((file: string) => runMigrate(file, io));
}
