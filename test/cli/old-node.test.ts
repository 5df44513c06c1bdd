// `rollouts-notifier` started by a Node older than the one it needs (a global install or npx on an old system
// Node) says which Node it needs and which it found, and exits 1: bin/rollouts-notifier.js checks the version
// before it loads anything. The old Node is the first `node` on PATH older than 24 (the system Node, when the
// tests run through npm, which puts Node 24 first).
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";

const NEEDED_MAJOR = 24;
const BIN = "bin/rollouts-notifier.js";

/** The first node on PATH whose major version is below 24, with its version, if any. */
function oldNodeOnPath(): { path: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, "node");
    try {
      accessSync(path, constants.X_OK);
      const version = execFileSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim();
      if (Number(/^v(\d+)\./.exec(version)?.[1]) < NEEDED_MAJOR) return { path, version };
    } catch {
      // not there, not executable, or not a working node: try the next directory
    }
  }
  return undefined;
}

const oldNode = oldNodeOnPath();

describe("bin/rollouts-notifier.js on an old Node", () => {
  it("needs the Node major version that package.json's engines names", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      engines: { node: string };
      bin: Record<string, string>;
    };
    expect(pkg.engines.node).toBe(`>=${NEEDED_MAJOR}`);
    expect(pkg.bin["rollouts-notifier"]).toBe(BIN);
    expect(readFileSync(BIN, "utf8")).toContain(`var NEEDED_MAJOR = ${NEEDED_MAJOR};`);
  });

  // Skipped only where no Node older than 24 is on PATH (nothing to start the command with).
  it.skipIf(!oldNode)("prints the Node it needs and the one it found, and exits 1", () => {
    const { path, version } = oldNode!;
    for (const args of [["--help"], ["run"], ["template", "notify", "x"]]) {
      const res = spawnSync(path, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });
      expect(res.status, res.stderr).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toBe(
        `rollouts-notifier needs Node.js ${NEEDED_MAJOR} or newer; it was started by Node.js ${version.slice(1)} (${realpathSync(path)}).\n` +
          `Install Node.js ${NEEDED_MAJOR} (https://nodejs.org) and run it with that Node.\n`,
      );
    }
  });

  it("on Node 24 runs the CLI", () => {
    const res = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8", timeout: 20_000 });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Usage: rollouts-notifier /);
  });
});
