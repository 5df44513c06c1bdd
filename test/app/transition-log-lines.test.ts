// The hand-off's "transition" lines skip pino's path redaction (logger.ts fixedShapeLogger) when every field name
// in them, at every depth, is one of a Transition's (snapshot and eventObject left out); a line with any other
// field goes through the redacting logger as before.
import { describe, expect, it } from "vitest";
import { createHandOff } from "../../src/app/hand-off.ts";
import { ConfigStore } from "../../src/config/config-store.ts";
import { createLogger, hasFixedShape } from "../../src/logger.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { captureLogs } from "../support/log-capture.ts";

const ref = { kind: "Rollout", namespace: "team", name: "web", uid: "uid-web" };
// no subscription annotations: nothing is planned, only the transitions are recorded and logged
const snapshot = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { ...ref }, spec: {} };

async function transitionLines(transitions: Transition[]): Promise<Record<string, unknown>[]> {
  const { logger, lines } = captureLogs();
  const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
  const handOff = createHandOff({
    queue: { enqueue: async () => ({ enqueued: [], duplicates: [] }) },
    log: { recordCall: () => undefined, freshOf: (t) => t, record: async (t) => t },
    configFor: (ns) => store.forNamespace(ns),
    annotationPrefix: "notifications.argoproj.io",
    logger,
    metrics: createMetrics(),
    reportProblems: () => {},
  });
  const world = { getRollout: () => snapshot, getNamespace: () => undefined, analysisRunsIn: () => [] };
  await handOff(transitions, world);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "transition");
}

describe("transition log lines", () => {
  it("carry the transition without its snapshot and event view", async () => {
    const t: Transition = {
      id: "t-1",
      trigger: "on-rollout-step-completed",
      object: ref,
      rollout: ref,
      revision: "3",
      snapshot,
      eventObject: snapshot,
      detail: "step 2/4",
    };
    const [line] = await transitionLines([t, { ...t, id: "t-2", path: "condition", condition: 1 }]);
    expect(line).toMatchObject({ msg: "transition", svc: "rollouts-notifier" });
    expect(line!.transition).toEqual({
      id: "t-1",
      trigger: "on-rollout-step-completed",
      object: ref,
      rollout: ref,
      revision: "3",
      detail: "step 2/4",
    });
  });

  it("a field no Transition has, at any depth, is redacted as in any line", async () => {
    const t = {
      id: "t-1",
      trigger: "on-rollout-completed",
      object: { ...ref, password: "object-password" },
      snapshot,
      token: "transition-token",
    } as Transition;
    const lines = await transitionLines([t]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain("object-password");
    expect(text).not.toContain("transition-token");
    expect(lines[0]!.transition).toMatchObject({ token: "[redacted]", object: { password: "[redacted]" } });
  });

  it("a line has the fixed shape when every field name, at every depth, is a known one (no arrays)", () => {
    const keys = new Set(["transition", "id", "object", "kind", "namespace", "name", "uid"]);
    expect(hasFixedShape({ transition: { id: "t", object: ref } }, keys)).toBe(true);
    expect(hasFixedShape({ transition: { id: "t", token: "x" } }, keys)).toBe(false);
    expect(hasFixedShape({ transition: { id: "t", object: { ...ref, password: "p" } } }, keys)).toBe(false);
    expect(hasFixedShape({ transition: { id: "t", object: [ref] } }, keys)).toBe(false);
  });
});
