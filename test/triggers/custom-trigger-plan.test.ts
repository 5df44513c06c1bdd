import { describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { NotifierConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { DEFAULT_TEMPLATES, planTrigger } from "../../src/triggers/custom-trigger-plan.ts";
import { evaluateCustomTriggers } from "../../src/triggers/custom-triggers.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { BUILTIN_TRIGGERS } from "../../src/triggers/trigger-names.ts";
import { configMap, upstreamInstall } from "../config/load-examples.ts";

const now = new Date("2024-01-01T00:00:00Z");

function cfg(data: Record<string, string>): NotifierConfig {
  const r = loadNotifierConfig(
    configMap({ "template.t": "message: x", "template.u": "message: y", ...data }),
    undefined,
  );
  expect(r.errors).toEqual([]);
  return r.config;
}

function rolloutObj(labels: Record<string, string> = {}): KubeObject {
  return {
    kind: "Rollout",
    metadata: {
      name: "web",
      namespace: "shop",
      uid: "r-uid",
      labels,
      annotations: { "rollout.argoproj.io/revision": "4" },
    },
    status: { phase: "Healthy", currentStepIndex: 3 },
  };
}

function transition(trigger: string, snapshot: KubeObject = rolloutObj()): Transition {
  return {
    id: `r-uid:${trigger}:4`,
    trigger,
    object: { kind: "Rollout", namespace: "shop", name: "web", uid: "r-uid" },
    snapshot,
  };
}

describe("planTrigger", () => {
  it("every built-in trigger has a default template with no configuration", () => {
    for (const trigger of BUILTIN_TRIGGERS) {
      expect(planTrigger(transition(trigger), cfg({}), { now })).toEqual({
        plans: [{ send: [DEFAULT_TEMPLATES[trigger]], key: `r-uid:${trigger}:4` }],
        problems: [],
      });
    }
    expect(DEFAULT_TEMPLATES["on-analysis-run-started"]).toBe("analysis-run-running");
    expect(DEFAULT_TEMPLATES["on-scaling-replica-set"]).toBe("scaling-replicaset");
  });

  it("uses the upstream ConfigMap's send lists, aliases included", () => {
    const config = loadNotifierConfig(upstreamInstall(), undefined).config;
    expect(planTrigger(transition("on-analysis-run-running"), config, { now }).plans).toEqual([
      { send: ["analysis-run-running"], condition: 0, key: "r-uid:on-analysis-run-running:4" },
    ]);
    expect(planTrigger(transition("on-rollout-step-completed"), config, { now }).plans[0]!.send).toEqual([
      "rollout-step-completed",
    ]);
  });

  it("the event path: a `when` on a built-in sends only when it holds, under the condition's send key", () => {
    const config = cfg({
      "trigger.on-rollout-completed":
        "- when: rollout.metadata.labels.tier == 'critical' or context.env == 'prod'\n  send: [t]",
    });
    expect(planTrigger(transition("on-rollout-completed"), config, { now }).plans).toEqual([]);
    const critical = transition("on-rollout-completed", rolloutObj({ tier: "critical" }));
    expect(planTrigger(critical, config, { now }).plans).toEqual([
      {
        send: ["t"],
        condition: 0,
        key: expect.stringMatching(/^r-uid:on-rollout-completed:4\/c0-[\w-]{10}$/),
      },
    ]);
    // other built-ins are not affected
    expect(planTrigger(transition("on-rollout-paused"), config, { now }).plans[0]!.send).toEqual([
      "rollout-paused",
    ]);
  });

  it("several conditions: each that holds sends its templates under its own key; oncePer gives the key", () => {
    const config = cfg({
      "trigger.on-rollout-step-completed": [
        "- send: [t]",
        "- when: rollout.status.currentStepIndex >= 3",
        "  oncePer: rollout.status.currentStepIndex",
        "  send: [u]",
        "- when: rollout.status.currentStepIndex > 10",
        "  send: [u]",
      ].join("\n"),
    });
    const t = transition("on-rollout-step-completed");
    expect(planTrigger(t, config, { now })).toEqual({
      plans: [
        { send: ["t"], condition: 0, key: `${t.id}:0` },
        {
          send: ["u"],
          condition: 1,
          oncePer: "3",
          key: expect.stringMatching(/^r-uid\/on-rollout-step-completed\/c1-[\w-]{10}\/once\/3$/),
        },
      ],
      problems: [],
    });
  });

  it("AnalysisRun transitions see the owning Rollout as `rollout`", () => {
    const config = cfg({
      "trigger.on-analysis-run-failed":
        "- when: rollout.metadata.name == 'web' and analysisRun.status.phase == 'Failed'\n  send: [t]",
    });
    const run: KubeObject = {
      kind: "AnalysisRun",
      metadata: { name: "web-run", namespace: "shop", uid: "ar" },
      status: { phase: "Failed" },
    };
    const t = {
      ...transition("on-analysis-run-failed", run),
      object: { kind: "AnalysisRun", namespace: "shop", name: "web-run", uid: "ar" },
    };
    expect(planTrigger(t, config, { now }).plans).toEqual([]);
    expect(planTrigger(t, config, { now, rollout: rolloutObj() }).plans.map((p) => p.send)).toEqual([["t"]]);
  });

  it("custom triggers send the templates of the condition that fired", () => {
    const config = cfg({
      "trigger.on-healthy-or-step": [
        "- when: rollout.status.currentStepIndex == 99",
        "  send: [t]",
        "- when: rollout.status.phase == 'Healthy'",
        "  send: [u, t]",
      ].join("\n"),
    });
    const { transitions } = evaluateCustomTriggers({
      config,
      previous: undefined,
      object: rolloutObj(),
      now,
    });
    expect(transitions).toHaveLength(1);
    expect(planTrigger(transitions[0]!, config, { now })).toEqual({
      plans: [{ send: ["u", "t"], condition: 1, key: transitions[0]!.id }],
      problems: [],
    });
    // the trigger was removed from the config meanwhile: nothing to send, and said so
    expect(planTrigger(transitions[0]!, cfg({}), { now }).problems).toHaveLength(1);
  });
});
