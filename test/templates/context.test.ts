import { describe, expect, it } from "vitest";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { loadFixture, transitionFor } from "./fixtures.ts";

const base = { recipient: "team", serviceType: "slack" as const, now: "2024-01-01T00:00:00Z" };

describe("buildTemplateContext", () => {
  it("an aborted canary: strategy, revision, images, step, status message and failed metrics of its runs", () => {
    const rollout = loadFixture("rollout-aborted/rollout.yaml");
    const run = loadFixture("rollout-aborted/analysisrun.yaml");
    const ctx = buildTemplateContext({
      ...base,
      transition: transitionFor("on-rollout-aborted", rollout),
      rollout,
      analysisRuns: [run],
      context: { env: "prod" },
    });
    expect(ctx).toMatchObject({
      trigger: "on-rollout-aborted",
      strategy: "Canary",
      revision: "2",
      images: { "rollouts-demo": "argoproj/rollouts-demo:yellow" },
      step: { index: 0, total: 2 },
      statusMessage: 'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
      context: { env: "prod" },
      time: "2024-01-01T00:00:00Z",
      recipient: "team",
      serviceType: "slack",
    });
    expect(ctx.analysisRun).toBeUndefined();
    expect(ctx.failedMetrics).toEqual([
      {
        analysisRun: "rollout-background-analysis-db976bc44-2",
        name: "web",
        phase: "Failed",
        value: "false",
        successCondition: 'result == "true"',
        condition: 'successCondition not met: result == "true"',
        message: 'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
        count: 1,
        successful: 0,
        failed: 1,
        inconclusive: 0,
        error: 0,
      },
    ]);
  });

  it("an AnalysisRun trigger takes the run from the transition; inconclusive metrics without values", () => {
    const rollout = loadFixture("experiment-analysis/rollout-experiment-analysis.yaml");
    const run = loadFixture("experiment-analysis/canary-analysis.yaml");
    const ctx = buildTemplateContext({
      ...base,
      transition: transitionFor("on-analysis-run-error", run, rollout),
      rollout,
    });
    expect(ctx.analysisRun?.metadata.name).toBe("rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr");
    expect(ctx.failedMetrics).toHaveLength(1);
    const [m] = ctx.failedMetrics;
    expect(m).toMatchObject({
      name: "random-fail",
      phase: "Inconclusive",
      count: 8,
      failed: 4,
      error: 1,
      failureLimit: 5,
    });
    expect(m!.value).toBeUndefined();
    expect(m!.condition).toBe("inconclusive");
    expect(ctx.step).toEqual({ index: 1, total: 2 });
  });

  it("a failureCondition is reported as the condition that failed", () => {
    const rollout = loadFixture("rollout-aborted/rollout.yaml");
    const run = structuredClone(loadFixture("rollout-aborted/analysisrun.yaml"));
    (run.spec!.metrics as Record<string, unknown>[])[0]!.failureCondition = "result[0] > 0.05";
    const ctx = buildTemplateContext({
      ...base,
      transition: transitionFor("on-analysis-run-failed", run, rollout),
      rollout,
    });
    expect(ctx.failedMetrics[0]!.condition).toBe(
      'failureCondition: result[0] > 0.05 (successCondition: result == "true")',
    );
  });

  it("blue-green: no step; running runs contribute no failed metrics", () => {
    const rollout = loadFixture("blue-green/bluegreen-rollout.yaml");
    const running = loadFixture("experiment-step/canary-exp-analysis.yaml");
    const ctx = buildTemplateContext({
      ...base,
      transition: transitionFor("on-rollout-paused", rollout),
      rollout,
      analysisRuns: [running],
    });
    expect(ctx.strategy).toBe("BlueGreen");
    expect(ctx.step).toBeUndefined();
    expect(ctx.revision).toBe("11");
    expect(ctx.failedMetrics).toEqual([]);
    expect(ctx.statusMessage).toBe("Rollout is paused");
  });
});
