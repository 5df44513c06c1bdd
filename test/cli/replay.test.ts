// `rollouts-notifier replay` as a user runs it: a child process on Node 24 (type stripping), real files.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { HISTORIES, historyPath } from "../replay/expected-histories.ts";
import {
  annotatedHistory,
  asJsonLines,
  DEPLOY_LOG_TOKEN,
  exampleConfig,
  PD_KEY,
  SLACK_TOKEN,
} from "../replay/replay-kit.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const node = join(root, "node_modules/.bin/node");
const main = join(root, "src/cli/main.ts");

function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [main, ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const lines = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, string>);

const dir = mkdtempSync(join(tmpdir(), "rn-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rollouts-notifier replay --triggers-only", () => {
  it.each(Object.entries(HISTORIES))("%s reproduces its trigger sequence", async (file, expected) => {
    const r = await cli(["replay", fileURLToPath(historyPath(file)), "--triggers-only"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((l) => l.trigger)).toEqual(expected);
    for (const l of out) {
      expect(l).toMatchObject({
        kind: expect.any(String),
        namespace: expect.any(String),
        name: expect.any(String),
        id: expect.any(String),
        rollout: expect.any(String),
        revision: expect.any(String),
      });
    }
  });

  it("reads stdin with -, and prints opt-in triggers only with --opt-in", async () => {
    const text = readFileSync(historyPath("canary-abort-retry.yaml"), "utf8");
    const plain = await cli(["replay", "-", "--triggers-only"], text);
    expect(plain.code).toBe(0);
    expect(lines(plain.stdout).map((l) => l.trigger)).toEqual(HISTORIES["canary-abort-retry.yaml"]);
    const all = await cli(["replay", "-", "--triggers-only", "--opt-in"], text);
    expect(lines(all.stdout).some((l) => l.trigger === "on-scaling-replica-set")).toBe(true);
  });

  it("bad documents: an error on stderr naming each, the others still processed, exit code 1", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "type: ADDED",
        "object:",
        "  kind: Rollout",
        "  metadata: {name: web, namespace: shop, uid: u1, annotations: {rollout.argoproj.io/revision: '1'}}",
        "  status: {currentPodHash: h1, stableRS: h1}",
        "---",
        "just text",
        "---",
        "kind: Deployment",
        "metadata: {name: d}",
        "---",
        "kind: Rollout",
        "metadata: {name: [broken",
        "---",
        "type: MODIFIED",
        "object:",
        "  kind: Rollout",
        "  metadata: {name: web, namespace: shop, uid: u1, annotations: {rollout.argoproj.io/revision: '2'}}",
        "  status: {currentPodHash: h2, stableRS: h1}",
      ].join("\n"),
    );
    const r = await cli(["replay", file, "--triggers-only"]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).map((l) => `${l.trigger} ${l.revision}`)).toEqual([
      "on-rollout-updated 1",
      "on-rollout-completed 1",
      "on-rollout-updated 2",
    ]);
    const errors = r.stderr.trim().split("\n");
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe(`${file}: document 2 (line 7): not an object (got a string)`);
    expect(errors[1]).toMatch(new RegExp(`^${file}: document 3 \\(line 9\\): unknown kind "Deployment"`));
    expect(errors[2]).toMatch(new RegExp(`^${file}: document 4 \\(line \\d+\\): invalid YAML`));
  });

  it("a JSON stream with a broken object names it and goes on", async () => {
    const obj = (rev: string, hash: string) => ({
      kind: "Rollout",
      metadata: {
        name: "web",
        namespace: "shop",
        uid: "u1",
        annotations: { "rollout.argoproj.io/revision": rev },
      },
      status: { currentPodHash: hash, stableRS: "h1" },
    });
    const text = `${JSON.stringify(obj("1", "h1"), null, 2)}\n{"kind": "Rollout", "metadata": \n${JSON.stringify(obj("2", "h2"), null, 2)}\n`;
    const r = await cli(["replay", "-", "--triggers-only"], text);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).map((l) => l.trigger)).toEqual(["on-rollout-updated"]);
    expect(r.stderr).toMatch(/^<stdin>: document 2 \(line \d+\): invalid JSON/);
  });

  it("an unreadable file: exit code 2 and a clear message", async () => {
    const r = await cli(["replay", join(dir, "missing.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.yaml: cannot read: ENOENT/);
  });
});

describe("rollouts-notifier replay --explain", () => {
  it("prints a readable account of the canary history", async () => {
    const r = await cli(["replay", fileURLToPath(historyPath("canary-abort-retry.yaml")), "--explain"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("rollout demo/canary-demo");
    expect(r.stdout).toContain("ABORTED");
    expect(r.stdout).toContain("step 2/2 (pause: 3s)");
    expect(r.stdout).toMatch(/11 triggers from 22 documents\.\n$/);
  });
});

describe("rollouts-notifier replay --config --dry-run", () => {
  it("prints one JSON line per notification, in order, no secrets; a broken annotation is named on stderr, exit 1", async () => {
    const history = join(dir, "annotated.jsonl");
    const items = annotatedHistory("canary-analysis-failure.yaml", "default");
    writeFileSync(history, asJsonLines(items));
    const configFile = join(dir, "config.yaml");
    writeFileSync(
      configFile,
      exampleConfig()
        .map((o) => stringify(o))
        .join("---\n"),
    );
    const r = await cli([
      "replay",
      history,
      "--config",
      configFile,
      "--dry-run",
      "--now",
      "2026-03-04T09:05:00Z",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((l) => `${l.trigger} ${l.service}:${l.recipient}`)).toEqual([
      "on-rollout-aborted slack:alerts",
      "on-rollout-aborted slack:deploys",
      "on-rollout-aborted pagerdutyv2:payments-oncall",
      // the example's custom trigger: Degraded and spec.paused != true (absent), in the abort's update
      "on-rollout-degraded pagerdutyv2:payments-oncall",
      "on-rollout-completed slack:deploys",
      "on-rollout-completed deploy-log:",
    ]);
    for (const secret of [SLACK_TOKEN, PD_KEY, DEPLOY_LOG_TOKEN]) expect(r.stdout).not.toContain(secret);

    // the same history with a broken subscriptions annotation on the Rollout, from stdin
    const broken = asJsonLines(items).replaceAll(
      '"rollout.argoproj.io/revision":',
      '"notifications.argoproj.io/subscriptions":"- [broken","rollout.argoproj.io/revision":',
    );
    const b = await cli(["replay", "-", "--config", configFile, "--dry-run"], broken);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(
      /^error: Rollout\/default\/rollout-background-analysis .*notifications\.argoproj\.io\/subscriptions/m,
    );
    expect(lines(b.stdout)).toHaveLength(6);
  });
});

describe("npm run demo (replay --demo)", () => {
  it("exits 0 and prints what would be sent to Slack, PagerDuty and the webhook, then a summary; --capture DIR keeps the payloads", async () => {
    const capture = join(dir, "capture");
    const r = await cli([
      "replay",
      fileURLToPath(historyPath("canary-analysis-failure.yaml")),
      "--demo",
      "--capture",
      capture,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/in-process queue \(not durable/);
    expect(r.stdout).toContain("slack #deploys  [thread default/rollout-background-analysis/2]");
    expect(r.stdout).toMatch(/pagerduty platform-oncall {2}TRIGGER error: .*Aborted/);
    expect(r.stdout).toMatch(/pagerduty platform-oncall {2}RESOLVE/);
    expect(r.stdout).toMatch(/webhook deploy-log {2}POST https:\/\/deploy-log\.example\.com\/api/);
    expect(r.stdout).toMatch(
      /\n22 notifications captured, 0 dead-lettered — 20 triggers from 27 documents\.\n$/,
    );
    expect(r.stdout).not.toContain("xoxb-demo-not-a-real-token");
    const files = readdirSync(capture).sort();
    expect(files).toHaveLength(22);
    const first = JSON.parse(readFileSync(join(capture, files[0]!), "utf8"));
    expect(first).toMatchObject({ service: "slack", recipient: "deploys", payload: { type: "slack" } });
    const pdFile = files.find((f) => f.includes("pagerdutyv2"))!;
    expect(readFileSync(join(capture, pdFile), "utf8")).not.toContain("demo0routing0key");
  });
});
