import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { validateSlackMessage } from "../../src/templates/slack-blocks.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

const F = ARGO_FIXTURES_DIR;
const TIME = ["--time", "2024-01-01T00:00:00Z"];
const cli = (...args: string[]) =>
  spawnSync("node_modules/.bin/node", ["src/cli/main.ts", "template", "notify", ...args], {
    encoding: "utf8",
  });

describe("rollouts-notifier template notify", () => {
  it("renders an upstream ConfigMap template (executed as a Go template) for a fixture Rollout", () => {
    const res = cli(
      "rollout-step-completed",
      "--config",
      `${F}/notifications-install.yaml`,
      "--object",
      `${F}/canary/canary-rollout5.yaml`,
      ...TIME,
    );
    expect(res.status).toBe(0);
    const n = JSON.parse(res.stdout);
    expect(n.message).toBe("Rollout canary-demo-weights step number 1/8 has been completed.");
    expect(n.slack.attachments[0].fields).toEqual([
      { title: "Strategy", value: "Canary", short: true },
      { title: "Step completed", value: "1/8", short: true },
      { title: "canary-demo", value: "argoproj/rollouts-demo:does-not-exist", short: true },
    ]);
    expect(res.stderr).not.toContain("error");
  });

  it("renders a built-in template for Slack with the AnalysisRun's failed metrics", () => {
    const res = cli(
      "analysis-run-failed",
      "--object",
      `${F}/rollout-aborted/rollout.yaml`,
      `${F}/rollout-aborted/analysisrun.yaml`,
      ...TIME,
    );
    expect(res.status).toBe(0);
    const n = JSON.parse(res.stdout);
    expect(validateSlackMessage(n.slack)).toEqual([]);
    expect(n.slack.groupingKey).toBe("default/rollout-background-analysis/2");
    expect(JSON.stringify(n.slack.attachments)).toContain("*web* Failed");
    expect(res.stderr).toBe("");
  });

  it("renders PagerDuty and webhook payloads (--service)", () => {
    const obj = ["--object", `${F}/rollout-aborted/rollout.yaml`, `${F}/rollout-aborted/analysisrun.yaml`];
    const pd = JSON.parse(cli("rollout-aborted", "--service", "pagerdutyv2", ...obj, ...TIME).stdout);
    expect(pd.pagerduty).toMatchObject({
      eventAction: "trigger",
      dedupKey: "default/rollout-background-analysis/2",
    });
    const wh = JSON.parse(cli("rollout-completed", "--service", "webhook.ci", ...obj, ...TIME).stdout);
    expect(JSON.parse(wh.webhook.body)).toMatchObject({ version: "v1", trigger: "on-rollout-completed" });
  });

  it("exits 2 with a clear message for an unknown template or a missing Rollout", () => {
    const unknown = cli("no-such-template", "--object", `${F}/canary/canary-rollout.yaml`);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no template "no-such-template" \(known: .*rollout-aborted/);
    const noRollout = cli("rollout-aborted", "--object", `${F}/rollout-aborted/analysisrun.yaml`);
    expect(noRollout.status).toBe(2);
    expect(noRollout.stderr).toContain("--object files contain no Rollout");
  });
});
