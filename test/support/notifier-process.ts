// Runs `rollouts-notifier <mode>` as a child process (the real CLI on Node 24), reading its JSON logs, so tests
// can wait for log lines and kill -9 it at any moment.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface NotifierProcess {
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  terminate(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** How to start the CLI when not from this checkout's sources (e.g. an installed package, as another user). */
export interface NotifierCommand {
  /** Program and arguments before the CLI's own, e.g. ["setpriv", …, "node", "/app/bin/rollouts-notifier.js"]. */
  argv: string[];
  /** The whole environment besides `env` (nothing is inherited from the test process). */
  env: Record<string, string>;
  cwd?: string;
}

export function startNotifierProcess(
  args: string[],
  env: Record<string, string> = {},
  command?: NotifierCommand,
): NotifierProcess {
  const [program, ...prefix] = command?.argv ?? [process.execPath, "src/cli/main.ts"];
  const proc = spawn(program!, [...prefix, ...args], {
    env: { ...(command ? command.env : process.env), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(command?.cwd ? { cwd: command.cwd } : {}),
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  const onLine = (text: string) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text, raw: true };
    }
    logs.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface(proc.stdout!).on("line", onLine);
  createInterface(proc.stderr!).on("line", onLine);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    logs,
    exited,
    waitForLog(match, timeoutMs = 20_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no matching log line within ${timeoutMs} ms; last lines:\n${logs
                .slice(-10)
                .map((l) => JSON.stringify(l))
                .join("\n")}`,
            ),
          );
        }, timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `process exited (${code}) before the log line; last lines:\n${logs
                .slice(-10)
                .map((l) => JSON.stringify(l))
                .join("\n")}`,
            ),
          );
        });
      });
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
    async terminate() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}
