// `rollouts-notifier run|watcher|worker` with a bad setting (flag or environment variable): exit code 2 and one
// message naming the setting, before anything starts (no Redis or cluster needed), and never echoing a password.
// A few settings end to end (each is a process start); test/cli/settings.test.ts covers every rule.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["src/cli/main.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 30_000 },
      (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

const REDIS = { REDIS_URL: "redis://127.0.0.1:1" };

// each case is its own short-lived process: run them side by side
describe.concurrent("run settings validation", () => {
  it.each([
    [
      "WORKER_CONCURRENCY",
      { ...REDIS, WORKER_CONCURRENCY: "lots" },
      'WORKER_CONCURRENCY: expected an integer from 1 to 1000, got "lots"',
    ],
    [
      "REDIS_URL (missing)",
      {},
      "--redis-url / REDIS_URL: required (e.g. redis://redis:6379), or --redis-sentinels / REDIS_SENTINELS, or --redis-cluster / REDIS_CLUSTER",
    ],
    [
      "LEASE_RENEW_DEADLINE_SECONDS",
      { ...REDIS, LEASE_DURATION_SECONDS: "5", LEASE_RENEW_DEADLINE_SECONDS: "9" },
      "LEASE_RENEW_DEADLINE_SECONDS must not exceed LEASE_DURATION_SECONDS",
    ],
  ])("run with a bad %s exits 2 naming it", async (_name, env, message) => {
    const r = await runCli(["run"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rollouts-notifier run: ${message}\n`);
  });

  it("names the flag when the flag is the bad value (flags win over the environment)", async () => {
    const r = await runCli(["worker", "--concurrency", "0"], { ...REDIS, WORKER_CONCURRENCY: "4" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rollouts-notifier worker: --concurrency: expected an integer from 1 to 1000, got "0"\n',
    );
  });

  it("does not echo a password from a bad Redis URL", async () => {
    const r = await runCli(["watcher"], { REDIS_URL: "http://default:hunter2-secret@redis:6379" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("REDIS_URL: expected a redis:// or rediss:// URL");
    expect(r.stderr).not.toContain("hunter2");
  });
});
