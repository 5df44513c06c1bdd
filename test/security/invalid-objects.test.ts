// Status fields of the wrong type or range are reported and the object skipped for detection, never turned into
// invented notifications (hundreds of "step 100/2"), never dropping paused/resumed silently.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { validateObject } from "../../src/kube/validate-object.ts";
import { parseReplayInput } from "../../src/replay/parse-documents.ts";
import { ReplayDetector } from "../../src/replay/replay-detector.ts";
import { replayDocuments } from "../../src/replay/replay-documents.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { readHistory } from "../support/history-player.ts";

const HISTORY = readHistory("examples/histories/canary-analysis-failure.yaml");

async function replay(objects: KubeObject[]) {
  const text = objects.map((o) => JSON.stringify({ type: "MODIFIED", object: o })).join("\n");
  const transitions: Transition[] = [];
  const errors: string[] = [];
  await replayDocuments(
    parseReplayInput(text),
    {
      onTransitions: (ts) => {
        transitions.push(...ts);
      },
      onError: (e) => {
        errors.push(`${e.index}: ${e.message}`);
      },
    },
    { detector: new ReplayDetector() },
  );
  return { transitions, errors };
}

describe("validated objects", () => {
  it("the controller's objects are valid", () => {
    for (const s of HISTORY)
      expect(validateObject(s.object), `${s.object.kind} ${s.object.metadata.name}`).toEqual([]);
  });

  it("a currentStepIndex far beyond the steps is reported and skipped: no invented step notifications", async () => {
    const rollouts = HISTORY.filter((s) => s.object.kind === "Rollout").map((s) => s.object);
    const base = rollouts[rollouts.length - 1]!;
    const bad = structuredClone(base);
    (bad.status as Record<string, unknown>).currentStepIndex = 100;
    expect(validateObject(bad)).toEqual([
      expect.stringMatching(/^status\.currentStepIndex 100 is beyond the \d+ step\(s\)/),
    ]);
    const r = await replay([base, bad]);
    expect(r.errors).toEqual([
      expect.stringMatching(/^2: Rollout .* skipped: status\.currentStepIndex 100 is beyond/),
    ]);
    expect(r.transitions.filter((t) => t.trigger === "on-rollout-step-completed")).toEqual([]);
  });

  it.each([
    [
      "status.pauseConditions",
      { reason: "CanaryPauseStep" },
      "status.pauseConditions is an object, not a list",
    ],
    ["status.currentStepIndex", "3", "status.currentStepIndex is a string, not a non-negative integer"],
    ["status.currentStepIndex", -1, "status.currentStepIndex is -1, not a non-negative integer"],
    ["status.abort", "true", "status.abort is a string, not a boolean"],
    ["status.replicas", 1.5, "status.replicas is 1.5, not a non-negative integer"],
  ])("%s = %j is reported", (path, value, message) => {
    const obj = structuredClone(HISTORY.find((s) => s.object.kind === "Rollout")!.object);
    (obj.status as Record<string, unknown>)[path.split(".")[1]!] = value;
    expect(validateObject(obj)).toContain(message);
  });

  it("AnalysisRun metric results of the wrong shape are reported", () => {
    const run = structuredClone(HISTORY.find((s) => s.object.kind === "AnalysisRun")!.object);
    run.status = { ...run.status, metricResults: { web: {} } };
    expect(validateObject(run)).toEqual(["status.metricResults is an object, not a list"]);
  });
});
