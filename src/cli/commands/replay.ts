// `rollouts-notifier replay FILE|-`: detect the triggers a recorded history of Argo Rollouts objects causes,
// offline (no cluster, no Redis). Reading the input and printing live here; parsing and detection are in
// src/replay and src/triggers. Output modes are ReplayHandlers, so delivery can be added as another handler.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatDemoLine, formatTriggerLine } from "../../replay/format-transitions.ts";
import { parseReplayInput, type ReplayInputError } from "../../replay/parse-documents.ts";
import { type ReplayHandler, type ReplaySummary, replayDocuments } from "../../replay/replay-documents.ts";
import type { Transition } from "../../triggers/transition.ts";
import { OPT_IN_TRIGGERS } from "../../triggers/trigger-names.ts";

export interface ReplayOptions {
  triggersOnly?: boolean;
  demo?: boolean;
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
  const demo = opts.demo ? demoHandler(io, source, opts) : undefined;
  const summary = await replayDocuments(items, demo ?? triggerLinesHandler(io, source, opts));
  demo?.finish(summary);
  return summary.errors > 0 ? 1 : 0;
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description(
      "detect the triggers a recorded history causes (YAML multi-doc, JSON lines or `kubectl get -w -o json` output; - = stdin)",
    )
    .argument("<file>", "history file, or - for stdin")
    .option("--triggers-only", "print one JSON object per detected trigger")
    .option("--demo", "print a readable summary of what happened")
    .option("--opt-in", "also print opt-in triggers (on-scaling-replica-set)")
    .action(async (file: string, opts: ReplayOptions) => {
      process.exitCode = await runReplay(file, opts);
    });
}
