// The trigger sequences the example histories must reproduce (also listed in examples/histories/README.md).
export const HISTORIES: Record<string, string[]> = {
  "canary-abort-retry.yaml": [
    "on-rollout-updated",
    "on-rollout-completed",
    "on-rollout-updated",
    "on-rollout-step-completed",
    "on-rollout-paused",
    "on-rollout-aborted",
    "on-rollout-step-completed",
    "on-rollout-paused",
    "on-rollout-step-completed",
    "on-rollout-resumed",
    "on-rollout-completed",
  ],
  "bluegreen-auto-promote.yaml": [
    "on-rollout-updated",
    "on-rollout-completed",
    "on-rollout-updated",
    "on-rollout-completed",
  ],
  "canary-analysis-failure.yaml": [
    "on-rollout-updated",
    "on-analysis-run-started",
    "on-rollout-step-completed",
    "on-rollout-paused",
    "on-analysis-run-failed",
    "on-analysis-run-completed",
    "on-rollout-aborted",
    "on-rollout-updated",
    "on-analysis-run-started",
    "on-rollout-step-completed",
    "on-rollout-paused",
    "on-rollout-resumed",
    "on-rollout-step-completed",
    "on-rollout-completed",
    "on-analysis-run-completed",
  ],
  "canary-experiment-analysis.yaml": [
    "on-rollout-updated",
    "on-analysis-run-started",
    "on-analysis-run-completed",
    "on-rollout-step-completed",
    "on-rollout-completed",
  ],
};

export const historyPath = (file: string) => new URL(`../../examples/histories/${file}`, import.meta.url);
