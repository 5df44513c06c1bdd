// The README's quick start works as written: every command of its first `sh` block is run by bash, exactly as
// the README has it (its `alias` included), in a fresh copy of the repository's files in a temporary folder of
// its own. `npm install` runs for real there; to stay fast, the copy starts from hard links of this checkout's
// node_modules (npm replaces files rather than writing into them, so this checkout's are never changed).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryFiles } from "../support/repository-files.ts";
import { shellEnv } from "../support/shell-env.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The commands of the first `sh` block under `## Quick start`: continuation lines joined, comments dropped. */
function quickStartCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf("\n## Quick start\n"));
  const block = /^```sh\n([\s\S]*?)^```/m.exec(section)?.[1];
  if (!block) throw new Error("README.md has no ```sh block under ## Quick start");
  return block
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter((l) => l && !l.startsWith("#"));
}

const commands = quickStartCommands(readFileSync(join(REPO, "README.md"), "utf8"));
const aliases = commands.filter((c) => c.startsWith("alias "));
const runnable = commands.filter((c) => !c.startsWith("alias "));

/** Number of triggers examples/histories/README.md lists for a history. */
function documentedTriggerCount(history: string): number {
  const table = readFileSync(join(REPO, "examples/histories/README.md"), "utf8");
  const row = table.split("\n").find((l) => l.startsWith(`| \`${history}\``));
  if (!row) throw new Error(`examples/histories/README.md has no row for ${history}`);
  return row
    .split("|")[3]!
    .split(",")
    .filter((t) => t.trim()).length;
}

describe("README quick start, from a fresh copy of the repository", () => {
  let root: string;
  let copy: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "rn-readme-"));
    copy = join(root, "rollouts-notifier");
    mkdirSync(copy);
    for (const file of repositoryFiles(REPO)) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(REPO, file), join(copy, file));
    }
    try {
      execFileSync("cp", ["-al", join(REPO, "node_modules"), join(copy, "node_modules")], {
        stdio: "ignore",
      });
      // npm rewrites its record of the installed tree in place: give the copy its own
      const hidden = join(copy, "node_modules", ".package-lock.json");
      rmSync(hidden, { force: true });
      copyFileSync(join(REPO, "node_modules", ".package-lock.json"), hidden);
    } catch {
      // no hard links here (another file system, no GNU cp): the quick start's `npm install` installs everything
      rmSync(join(copy, "node_modules"), { recursive: true, force: true });
    }
  }, 120_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("has the commands this test knows how to check", () => {
    expect(aliases).toEqual(["alias rollouts-notifier='node_modules/.bin/node src/cli/main.ts'"]);
    expect(runnable.map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual([
      "npm install &&",
      "rollouts-notifier replay examples/histories/canary-abort-retry.yaml",
      "rollouts-notifier replay examples/histories/canary-abort-retry.yaml",
      "rollouts-notifier template notify",
    ]);
  });

  /** Runs one README command with bash, the README's aliases defined first. */
  function sh(command: string) {
    const script = [...aliases, command].join("\n");
    const res = spawnSync("bash", ["-O", "expand_aliases", "-e", "-c", script], {
      cwd: copy,
      encoding: "utf8",
      env: {
        ...shellEnv(REPO),
        npm_config_prefer_offline: "true",
        npm_config_audit: "false",
        npm_config_fund: "false",
      },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  }

  it(`${runnable[0]}`, () => {
    const res = sh(runnable[0]!);
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines.some((l) => l.startsWith("slack #deploys "))).toBe(true);
    expect(lines.some((l) => l.startsWith("pagerduty "))).toBe(true);
    expect(lines.some((l) => l.startsWith("webhook deploy-log "))).toBe(true);
  }, 600_000);

  it(`${runnable[1]}`, () => {
    const res = sh(runnable[1]!);
    expect(res.status, res.stderr).toBe(0);
    const n = documentedTriggerCount("canary-abort-retry.yaml");
    expect(res.stdout).toMatch(new RegExp(`^${n} triggers from \\d+ documents\\.$`, "m"));
  });

  it(`${runnable[2]}`, () => {
    const res = sh(runnable[2]!);
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const n = JSON.parse(line) as { trigger: string; notification: { type: string } };
      expect(n.trigger).toMatch(/^on-/);
      expect(["slack", "pagerduty", "webhook"]).toContain(n.notification.type);
    }
  });

  it(`${runnable[3]}`, () => {
    const res = sh(runnable[3]!);
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { message: string; slack: { text: string } };
    expect(out.message).toMatch(/has been completed\.$/);
    expect(out.slack.text).toBe(out.message);
  });
});
