// Starts a private redis-server on a free port so tests can kill and restart it (never the shared :6379).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";

export interface RedisHarness {
  port: number;
  url: string;
  dir: string;
  /** SIGKILL the server (data in memory is lost unless appendonly). */
  kill(): Promise<void>;
  /** Start again on the same port and dir. */
  restart(): Promise<void>;
  /** Stop and remove the data dir. */
  stop(): Promise<void>;
  client(): Redis;
}

export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<RedisHarness> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rn-redis-"));
  let proc: ChildProcess | undefined;
  const clients: Redis[] = [];

  const launch = async () => {
    proc = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        opts.appendonly ? "yes" : "no",
        "--appendfsync",
        "always",
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: "ignore" },
    );
    proc.on("error", () => {});
    await waitForPing(port);
  };
  const killProc = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill: killProc,
    restart: launch,
    async stop() {
      for (const c of clients) c.disconnect();
      await killProc();
      rmSync(dir, { recursive: true, force: true });
    },
    client() {
      const c = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: null });
      clients.push(c);
      return c;
    },
  };
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const c = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    c.on("error", () => {}); // refused until the server listens
    try {
      await c.connect();
      if ((await c.ping()) === "PONG") {
        c.disconnect();
        return;
      }
    } catch {
      // not up yet
    } finally {
      c.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not start within 10s`);
}
