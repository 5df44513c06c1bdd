// The production install runs. The package is built and installed the way the Dockerfile builds the image:
// the files the Dockerfile copies into its build context are compiled with `npm run build`'s tsc, `npm pack`
// makes the package (so package.json "files" decides what ships), and the unpacked package gets its production
// dependencies from the lock (`npm install --omit=dev`) in an empty folder, the image's /app. That folder is then
// read-only, and the entrypoint (node bin/rollouts-notifier.js) runs as a non-root user (uid/gid 65534 when the
// tests run as root) whose only writable folder is a private HOME/TMPDIR, with a clean environment: `--help`,
// then `run` against the Kubernetes API test server and a private Redis (test/e2e/harness.ts) reaches /readyz 200
// and delivers a notification to the fake Slack. This catches a runtime import of a dev dependency, a file
// written outside the temp folder, and a file missing from "files" or from what the Dockerfile copies.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eWorld, startE2eWorld } from "../e2e/harness.ts";
import { eventually, playNextStep, prepareStory, type StoryRun } from "../e2e/story.ts";
import { expectedSlackThreads, slackThreads } from "../e2e/story-expectations.ts";
import { copiedContextPaths } from "../support/dockerfile.ts";
import type { NotifierCommand } from "../support/notifier-process.ts";
import { shellEnv } from "../support/shell-env.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The unprivileged user the entrypoint runs as when the tests run as root ("nobody" on Debian). */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const RAM_TMP = "/dev/shm";
const AS_NOBODY = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = shellEnv(REPO)): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed (${e.status}):\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

/** Every file and folder under `dir` made read-only (no write bit for anyone). */
function makeReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) makeReadOnly(path);
    chmodSync(path, statSync(path).mode & 0o555);
  }
  chmodSync(dir, statSync(dir).mode & 0o555);
}

interface Install {
  root: string;
  /** The image's /app: package.json, bin/, dist/, node_modules/ (production only). */
  app: string;
  /** The only folder the service may write (HOME and TMPDIR). */
  home: string;
  /** Files `npm pack` put in the package. */
  packed: string[];
  /** node, the entrypoint, and the environment, as the image runs them (but as `nobody`). */
  command: NotifierCommand;
}

function buildProductionInstall(): Install {
  // in RAM where Linux offers it: on this kind of disk, writing and removing the ~10k files of node_modules
  // takes longer than everything else the test does
  const base = existsSync(RAM_TMP) && statSync(RAM_TMP).isDirectory() ? RAM_TMP : tmpdir();
  const root = mkdtempSync(join(base, "rn-production-install-"));
  chmodSync(root, 0o755); // the non-root user must reach the install inside
  const stage = join(root, "stage");
  const app = join(root, "app");
  const home = join(root, "home");
  mkdirSync(stage);
  mkdirSync(app);
  mkdirSync(home, { mode: 0o700 });

  // build stage: the Dockerfile's build-context files, compiled by `npm run build` (tsc), dependencies resolved
  // from this checkout's node_modules for the compile only
  const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
  for (const path of copiedContextPaths(dockerfile))
    cpSync(join(REPO, path), join(stage, path), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(stage, "node_modules"));
  const pkg = JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as { scripts: { build: string } };
  const [tsc, ...tscArgs] = pkg.scripts.build.split(" ");
  run(join(REPO, "node_modules", ".bin", tsc!), tscArgs, stage);
  unlinkSync(join(stage, "node_modules"));

  // the package, as npm publishes it
  const packJson = run("npm", ["pack", "--json", "--pack-destination", root], stage);
  const [packResult] = JSON.parse(packJson) as { filename: string; files: { path: string }[] }[];
  const packed = packResult!.files.map((f) => f.path);
  run("tar", ["-xzf", join(root, packResult!.filename), "-C", app, "--strip-components=1"], root);

  // deps stage: production dependencies of the lock, into the (so far dependency-less) folder
  copyFileSync(join(REPO, "package-lock.json"), join(app, "package-lock.json"));
  run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline"], app, {
    ...shellEnv(REPO),
    npm_config_loglevel: "error",
  });
  makeReadOnly(app);

  // runtime: this Node 24 (the version the image pins), run as `nobody`; copied next to the install when
  // `nobody` cannot reach it where it is (e.g. a checkout inside a private home folder)
  let node = process.execPath;
  if (asRoot && spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), node, "--version"]).status !== 0) {
    node = join(root, "node");
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
  }
  if (asRoot) chownSync(home, NOBODY, NOBODY);
  const argv = [node, join(app, "bin", "rollouts-notifier.js")];
  return {
    root,
    app,
    home,
    packed,
    command: {
      argv: asRoot ? [...AS_NOBODY, ...argv] : argv,
      env: { PATH: "/usr/bin:/bin", HOME: home, TMPDIR: home, NODE_ENV: "production" },
      cwd: home,
    },
  };
}

describe("the production install (npm pack + npm install --omit=dev, read-only, non-root)", () => {
  let install: Install;
  let world: E2eWorld | undefined;

  beforeAll(() => {
    install = buildProductionInstall();
  }, 300_000);
  afterAll(async () => {
    await world?.stop();
    if (install) rmSync(install.root, { recursive: true, force: true });
  });

  it("ships bin/ and dist/ and no sources, tests or dev dependencies", () => {
    expect(install.packed).toContain("package.json");
    expect(install.packed).toContain("bin/rollouts-notifier.js");
    expect(install.packed).toContain("dist/cli/main.js");
    for (const f of install.packed) expect(f, f).toMatch(/^(package\.json|README\.md|LICENSE|bin\/|dist\/)/);
    // every Lua script, next to the compiled module that reads it at load (npm run build copies them)
    const lua = readdirSync(join(REPO, "src"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".lua"));
    expect(lua).toEqual(expect.arrayContaining(["history/lua/record-hand-off.lua", "queue/lua/claim.lua"]));
    for (const f of lua) expect(install.packed).toContain(`dist/${f}`);
    // what the lock marks dev-only (devDependencies and what only they need) is not installed
    const lock = JSON.parse(readFileSync(join(install.app, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev);
    expect(devOnly.map(([path]) => path)).toContain("node_modules/typescript");
    for (const [path] of devOnly)
      expect(existsSync(join(install.app, path)), `${path} installed`).toBe(false);
    // the runtime user cannot write the install
    expect(statSync(install.app).mode & 0o222).toBe(0);
    expect(statSync(join(install.app, "dist", "cli", "main.js")).mode & 0o222).toBe(0);
  });

  it("--help runs as the non-root user", () => {
    const [program, ...prefix] = install.command.argv;
    const res = spawnSync(program!, [...prefix, "--help"], {
      env: install.command.env,
      cwd: install.command.cwd,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Usage: rollouts-notifier /);
    for (const mode of ["run", "watcher", "worker"])
      expect(res.stdout).toMatch(new RegExp(`^ {2}${mode}\\b`, "m"));
    if (asRoot) {
      const id = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), "id", "-u"], { encoding: "utf8" });
      expect(id.stdout.trim()).toBe(String(NOBODY));
    }
  });

  it("`run` reaches /readyz 200 against the API server and a private Redis, and delivers a notification", async () => {
    world = await startE2eWorld({ command: install.command });
    // the user reads the API server's kubeconfig (a test token) like a mounted ServiceAccount token
    chmodSync(dirname(world.api.kubeconfigPath), 0o755);
    chmodSync(world.api.kubeconfigPath, 0o644);
    const story: StoryRun = prepareStory(world, "prod");
    const service = await world.startService();
    await eventually(
      async () => (await service.readyz()).status === 200,
      30_000,
      () => `/readyz 200\n${world!.dumpLogs(20)}`,
      200,
    );
    const ready = await service.readyz();
    expect(ready.status, ready.body).toBe(200);

    // the controller's writes up to revision 2's on-rollout-updated, which opens the revision's Slack thread
    let fired: string[] = [];
    while (!fired.includes("on-rollout-updated") && story.played < story.steps.length) {
      const i = await playNextStep(world, story);
      fired = story.expected[i]!.transitions.map((t) => t.trigger);
    }
    expect(fired).toContain("on-rollout-updated");
    const expected = expectedSlackThreads(story)[0]!;
    await eventually(
      () => (slackThreads(world!, story.channel)[0]?.replies.length ?? 0) >= 1,
      30_000,
      () => `the first Slack message\n${world!.dumpLogs(20)}`,
      100,
    );
    const [thread] = slackThreads(world, story.channel);
    expect(thread!.root).toBe(expected.root);
    expect(thread!.replies[0]).toBe(expected.replies[0]);
    expect(thread!.usernames[0]).toBe(expected.usernames[0]);

    // nothing went wrong that the service only logged
    const errors = service.logs.filter((l) => typeof l.level === "number" && l.level >= 50);
    expect(errors).toEqual([]);
    expect(service.logs.filter((l) => l.raw)).toEqual([]);
  }, 120_000);
});
