// `rollouts-notifier run` as a child process, as in production: its own Node 24 process, /readyz polled over
// HTTP. Its JSON logs go to a file, as a container runtime drains them: through a pipe to this (busy) process
// the service's synchronous log writes would block on a full pipe and the benchmark would measure itself.
// The file is scanned for a few messages every few milliseconds. The service runs compiled, as in its image
// (compiled-cli.ts). BENCH_KEEP_LOGS=<dir> keeps each service's log there.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/free-port.ts";
import { serviceEntry } from "./compiled-cli.ts";
import { sleep } from "./stats.ts";

export interface NotifierChild {
  proc: ChildProcess;
  pid: number;
  httpPort: number;
  /** performance.now() when the process was spawned. */
  startedAt: number;
  /** Resolves with performance.now() when the given log message (exact `msg`) first appears. */
  logged(msg: string, timeoutMs?: number): Promise<number>;
  /** Polls /readyz until 200; resolves with performance.now() of the first 200. */
  ready(timeoutMs?: number): Promise<number>;
  /** Last lines of output, for error messages. */
  tail(): string;
  /** SIGTERM (graceful: finishes in-flight deliveries, releases the Lease) and wait for exit. */
  terminate(): Promise<void>;
  kill9(): Promise<void>;
}

export async function startNotifierChild(opts: {
  kubeconfigPath: string;
  /** How the service reaches Redis: a RedisDeployment's serviceArgs (test/support/redis-server.ts). */
  redisArgs: string[];
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** The CLI mode (default `run`); `watcher` + `worker` are the chart's split deployment (worker.enabled). */
  mode?: "run" | "watcher" | "worker";
  /** POD_NAME, the holder identity in the Lease (default "bench"). */
  podName?: string;
}): Promise<NotifierChild> {
  const entry = await serviceEntry();
  const httpPort = await freePort();
  const startedAt = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "rn-bench-"));
  const logPath = join(dir, "notifier.log");
  const logFd = openSync(logPath, "w+");
  const proc = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      entry,
      opts.mode ?? "run",
      "--kubeconfig",
      opts.kubeconfigPath,
      ...opts.redisArgs,
      "--namespace",
      "argo-rollouts",
      "--http-port",
      String(httpPort),
    ],
    {
      env: { ...process.env, LOG_LEVEL: "info", POD_NAME: opts.podName ?? "bench", ...opts.env },
      stdio: ["ignore", logFd, logFd],
    },
  );
  const lines: string[] = [];
  const seen = new Map<string, number>();
  const waiters = new Map<string, ((t: number) => void)[]>();
  const watched = new Set<string>(["informers synced", "rollouts-notifier started"]);
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 50) lines.shift();
    for (const msg of watched) {
      if (!seen.has(msg) && line.includes(`"msg":"${msg}"`)) {
        const t = performance.now();
        seen.set(msg, t);
        for (const w of waiters.get(msg) ?? []) w(t);
        waiters.delete(msg);
      }
    }
  };
  let readPos = 0;
  let partial = "";
  const buf = Buffer.alloc(1 << 20);
  const scan = () => {
    for (;;) {
      const n = readSync(logFd, buf, 0, buf.length, readPos);
      if (n <= 0) return;
      readPos += n;
      const text = partial + buf.toString("utf8", 0, n);
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    }
  };
  const scanner = setInterval(scan, 10);
  const exited = new Promise<void>((resolve) =>
    proc.once("exit", () => {
      clearInterval(scanner);
      scan();
      closeSync(logFd);
      // BENCH_KEEP_LOGS=<dir>: each service's log is kept there (diagnostics: what a run's duplicates were)
      const keep = process.env.BENCH_KEEP_LOGS;
      if (keep) {
        mkdirSync(keep, { recursive: true });
        copyFileSync(logPath, join(keep, `notifier-${proc.pid}.log`));
      }
      rmSync(dir, { recursive: true, force: true });
      resolve();
    }),
  );
  const tail = () => lines.slice(-15).join("\n");

  return {
    proc,
    pid: proc.pid!,
    httpPort,
    startedAt,
    tail,
    logged(msg, timeoutMs = 120_000) {
      watched.add(msg);
      const at = seen.get(msg);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`notifier: no "${msg}" within ${timeoutMs} ms; last lines:\n${tail()}`)),
          timeoutMs,
        );
        const list = waiters.get(msg) ?? [];
        list.push((t) => {
          clearTimeout(timer);
          resolve(t);
        });
        waiters.set(msg, list);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`notifier exited before "${msg}"; last lines:\n${tail()}`));
        });
      });
    },
    async ready(timeoutMs = 120_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`notifier exited; last lines:\n${tail()}`);
        try {
          const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
          await res.arrayBuffer();
          if (res.status === 200) return performance.now();
        } catch {
          // not listening yet
        }
        await sleep(20);
      }
      throw new Error(`notifier not ready within ${timeoutMs} ms; last lines:\n${tail()}`);
    },
    async terminate() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}
