import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { evaluateTriggerRun } from "../../src/cli/commands/trigger.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

const F = ARGO_FIXTURES_DIR;
const dir = mkdtempSync(join(tmpdir(), "rn-trigger-run-"));
const config = join(dir, "cm.yaml");
writeFileSync(
  config,
  stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap" },
    data: {
      "trigger.on-degraded":
        "- when: rollout.status.abort == true and not (rollout.spec.replicas == 0)\n  oncePer: rollout.status.abortedAt\n  send: [rollout-aborted]\n",
      "trigger.on-rollout-completed": "- when: rollout.spec.replicas > 3\n  send: [big-completed]\n",
      "trigger.on-broken": "- when: rollout.status.(\n  send: [x]\n",
    },
  }),
);

describe("trigger run", () => {
  it("says whether a built-in trigger fires for previous → object and which template it sends", () => {
    const r = evaluateTriggerRun("on-rollout-aborted", { object: `${F}/rollout-aborted/rollout.yaml` });
    expect(r.builtin).toBe(true);
    expect(r.detected).toBe(true);
    expect(r.send).toEqual(["rollout-aborted"]);
    // compared against itself nothing moved: not fired, nothing sent
    const same = evaluateTriggerRun("on-rollout-aborted", {
      object: `${F}/rollout-aborted/rollout.yaml`,
      previous: `${F}/rollout-aborted/rollout.yaml`,
    });
    expect(same.detected).toBe(false);
    expect(same.send).toEqual([]);
  });

  it("evaluates a ConfigMap condition narrowing a built-in, with expr-lang keywords", () => {
    const r = evaluateTriggerRun("on-rollout-completed", {
      object: `${F}/canary/canary-rollout4.yaml`,
      config,
    });
    expect(r.conditions).toEqual([
      expect.objectContaining({
        index: 0,
        when: "rollout.spec.replicas > 3",
        result: true,
        send: ["big-completed"],
      }),
    ]);
  });

  it("evaluates a custom trigger's when and oncePer on the object", () => {
    const r = evaluateTriggerRun("on-degraded", { object: `${F}/rollout-aborted/rollout.yaml`, config });
    expect(r.builtin).toBe(false);
    expect(r.conditions[0]).toMatchObject({ result: true, oncePer: "2020-09-22T09:10:05Z" });
    expect(r.send).toEqual(["rollout-aborted"]);
  });

  it("exits 1 naming the trigger and condition when a condition does not compile, 2 on usage errors", () => {
    const broken = spawnSync(
      process.execPath,
      [
        "src/cli/main.ts",
        "trigger",
        "run",
        "on-broken",
        "--object",
        `${F}/rollout-aborted/rollout.yaml`,
        "--config",
        config,
      ],
      { encoding: "utf8" },
    );
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("trigger.on-broken");
    expect(broken.stderr).toContain("trigger.on-broken ([0].when)");
    const unknown = spawnSync(
      process.execPath,
      ["src/cli/main.ts", "trigger", "run", "on-nothing", "--object", `${F}/rollout-aborted/rollout.yaml`],
      { encoding: "utf8" },
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('trigger "on-nothing" is neither built-in nor defined');
    const out = execFileSync(
      process.execPath,
      [
        "src/cli/main.ts",
        "trigger",
        "run",
        "on-rollout-aborted",
        "--object",
        `${F}/rollout-aborted/rollout.yaml`,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out)).toMatchObject({ trigger: "on-rollout-aborted", detected: true });
  });
});
