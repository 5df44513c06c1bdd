// The Dockerfile cannot be built here (no Docker engine), so its structure is checked, and the build it runs
// (`npm run build`) is run for real into a scratch copy of the image layout (/app/{bin,dist,package.json}).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copiedContextPaths, parseDockerfile } from "../support/dockerfile.ts";
import { REPO_ROOT } from "./render-chart.ts";

const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const { instructions, stages } = parseDockerfile(dockerfile);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  type: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const inStage = (name: string) => {
  const idx = stages.findIndex((s) => s.name === name);
  expect(idx, `stage ${name}`).toBeGreaterThanOrEqual(0);
  return instructions.filter((i) => i.stage === idx);
};
const runtime = () => instructions.filter((i) => i.stage === stages.length - 1);

describe("Dockerfile", () => {
  it("is multi-stage on a pinned Node 24 LTS slim image, the Node version the project develops with", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "deps", "runtime"]);
    const arg = /^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile);
    expect(arg?.[1]).toMatch(/^24\.\d+\.\d+$/);
    expect(arg?.[1]).toBe(pkg.devDependencies.node); // the same Node as `npm ci` installs for the tests
    const pinnedBase = ["node:$", "{NODE_VERSION}-bookworm-slim"].join(""); // the Dockerfile's ARG, literally
    for (const s of stages) expect(s.from).toBe(pinnedBase);
  });

  it("builds with the locked dependencies + npm run build, and ships production dependencies only", () => {
    const build = inStage("build")
      .filter((i) => i.op === "RUN")
      .map((i) => i.args);
    // npm install (not ci): see the Dockerfile's note on the lock's optional platform packages
    expect(build.some((r) => /\bnpm install\b/.test(r) && !r.includes("--omit=dev"))).toBe(true);
    expect(build).toContain("npm run build");
    const deps = inStage("deps")
      .filter((i) => i.op === "RUN")
      .map((i) => i.args);
    expect(deps.some((r) => /\bnpm install --omit=dev\b/.test(r))).toBe(true);
    const copies = runtime().filter((i) => i.op === "COPY");
    const nodeModules = copies.filter((c) => /node_modules/.test(c.args));
    expect(nodeModules.map((c) => c.args)).toEqual(["--from=deps /app/node_modules ./node_modules"]);
    expect(copies.map((c) => c.args)).toContain("--from=build /app/dist ./dist");
    // nothing from the build stage but dist/, no npm install at run time
    for (const c of copies.filter((i) => i.args.includes("--from=build")))
      expect(c.args).toMatch(/\/app\/dist /);
    for (const r of runtime().filter((i) => i.op === "RUN")) expect(r.args).not.toMatch(/npm (ci|install)/);
    // tsc -p tsconfig.build.json, then the .lua files next to the compiled modules (scripts/build.ts)
    expect(pkg.scripts.build).toMatch(/^node scripts\/build\.ts$/);
    expect(readFileSync(join(REPO_ROOT, "scripts/build.ts"), "utf8")).toContain('"tsconfig.build.json"');
  });

  it("runs as a fixed non-root uid (the chart's runAsUser), through tini, `run` by default", () => {
    const user = runtime().filter((i) => i.op === "USER");
    expect(user.map((u) => u.args)).toEqual(["10001:10001"]);
    const values = readFileSync(join(REPO_ROOT, "charts/rollouts-notifier/values.yaml"), "utf8");
    expect(values).toMatch(/^ {2}runAsUser: 10001$/m);
    const entry = runtime().find((i) => i.op === "ENTRYPOINT")!;
    expect(JSON.parse(entry.args)).toEqual(["/usr/bin/tini", "--", "node", "/app/bin/rollouts-notifier.js"]);
    expect(JSON.parse(runtime().find((i) => i.op === "CMD")!.args)).toEqual(["run"]);
    expect(runtime().find((i) => i.op === "EXPOSE")?.args).toBe("9090");
    expect(runtime().some((i) => i.op === "RUN" && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    // read-only root: HOME points at the writable /tmp and no VOLUME asks for another writable path
    expect(runtime().some((i) => i.op === "ENV" && /HOME=\/tmp\b/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.op === "VOLUME")).toBe(false);
  });

  it("copies only files that exist and that .dockerignore lets into the build context", () => {
    const ignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const must of ["node_modules", "dist", ".git", "test"]) expect(ignore).toContain(must);
    const sources = copiedContextPaths(dockerfile);
    expect([...sources].sort()).toEqual([
      "bin",
      "package-lock.json",
      "package.json",
      "scripts/build.ts",
      "src",
      "tsconfig.build.json",
      "tsconfig.json",
    ]);
    for (const src of sources) {
      expect(existsSync(join(REPO_ROOT, src)), src).toBe(true);
      expect(ignore, src).not.toContain(src);
      // a source under an ignored directory must be let back in by an exception
      const dir = src.split("/")[0]!;
      if (dir !== src && ignore.includes(dir)) expect(ignore, src).toContain(`!${src}`);
    }
    // the runtime ESM needs "type": "module" from the copied package.json
    expect(pkg.type).toBe("module");
  });
});

describe("the image's build (npm run build)", () => {
  // A scratch copy of the image layout inside node_modules/.cache, so node_modules resolves as in /app and the
  // working tree's dist/ (which bin/ would prefer over src/) is never written.
  const app = join(REPO_ROOT, "node_modules", ".cache", "rollouts-notifier", `image-${process.pid}`);
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  let compiledHelp = "";

  it("compiles src/ to dist/ with dist/cli/main.js, and the compiled CLI starts", () => {
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    const npm = join(REPO_ROOT, "node_modules", ".bin", "npm");
    const npmCmd = existsSync(npm) ? npm : "npm";
    let output = "";
    try {
      output = execFileSync(npmCmd, ["run", "build", "--", "--outDir", join(app, "dist")], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
    const main = join(app, "dist", "cli", "main.js");
    if (!existsSync(main)) {
      throw new Error(
        `npm run build did not produce dist/cli/main.js (is src/cli/main.ts there?)\n${output}`,
      );
    }
    // the Lua scripts the queue and the transition log read next to their compiled modules
    for (const lua of [
      "queue/lua/enqueue.lua",
      "queue/lua/remove-from-order.lua",
      "watch/lua/record-transitions.lua",
    ])
      expect(existsSync(join(app, "dist", lua)), `dist/${lua}`).toBe(true);
    cpSync(join(REPO_ROOT, "bin"), join(app, "bin"), { recursive: true });
    cpSync(join(REPO_ROOT, "package.json"), join(app, "package.json"));
    // the same entry the image runs: node /app/bin/rollouts-notifier.js, which must pick the compiled CLI
    compiledHelp = execFileSync(process.execPath, [join(app, "bin", "rollouts-notifier.js"), "--help"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", HOME: "/tmp" },
    });
    expect(compiledHelp).toMatch(/^Usage: rollouts-notifier /);
  }, 120_000); // a whole tsc build: over 30 s on a loaded 2-core machine

  it("the compiled CLI has the modes the image (CMD run) and the chart (run, watcher, worker) start", () => {
    expect(compiledHelp, "the build test above must pass first").not.toBe("");
    const commands = [...compiledHelp.matchAll(/^ {2}([a-z][\w-]*)\b/gm)].map((m) => m[1]);
    for (const mode of ["run", "watcher", "worker"]) {
      expect(
        commands,
        `\`rollouts-notifier ${mode}\` is missing from the CLI (Dockerfile CMD / chart args)`,
      ).toContain(mode);
    }
  });
});
