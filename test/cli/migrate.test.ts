import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

const INSTALL = join(ARGO_FIXTURES_DIR, "notifications-install.yaml");
const cli = (...args: string[]) =>
  spawnSync("node_modules/.bin/node", ["src/cli/main.ts", ...args], { encoding: "utf8", cwd: process.cwd() });

describe("rollouts-notifier migrate", () => {
  it("prints the install ConfigMap unchanged: its Go templates execute as they are", () => {
    const res = cli("migrate", INSTALL);
    expect(res.status).toBe(0);
    const before = parse(readFileSync(INSTALL, "utf8"));
    const after = parse(res.stdout);
    expect(Object.keys(after.data)).toEqual(Object.keys(before.data));
    expect(after.metadata).toEqual(before.metadata);
    for (const [key, value] of Object.entries(after.data as Record<string, string>)) {
      expect(value).toBe(before.data[key]);
    }
  });

  it("exits 1 naming the template, field, line and construct that would not render as upstream", () => {
    const dir = mkdtempSync(join(tmpdir(), "rn-migrate-"));
    const file = join(dir, "cm.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: argo-rollouts-notification-configmap}",
        "data:",
        "  template.fancy: |",
        "    message: '{{template \"footer\" .}} {{.rollout.metadata.name}}'",
        "",
      ].join("\n"),
    );
    const res = cli("migrate", file);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain('template "fancy": field "message" line 1: no such template "footer"');
    expect(res.stderr).toContain('{{template "footer" .}}');
  });

  it("exits 2 when the file cannot be read", () => {
    const res = cli("migrate", "/nonexistent/cm.yaml");
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("cannot read /nonexistent/cm.yaml");
  });
});
