import { describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { NotifierConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { withConditionDeadline } from "../../src/triggers/condition-deadline.ts";
import {
  type CustomTriggerState,
  conditionSubject,
  evaluateCustomTriggers,
} from "../../src/triggers/custom-triggers.ts";
import { configMap, readObject } from "../config/load-examples.ts";

function cfg(data: Record<string, string>): NotifierConfig {
  const r = loadNotifierConfig(configMap({ "template.t": "message: x", ...data }), undefined);
  expect(r.errors).toEqual([]);
  return r.config;
}

function rollout(phase: string, revision = "1", extra: Record<string, unknown> = {}): KubeObject {
  return {
    kind: "Rollout",
    metadata: {
      name: "web",
      namespace: "shop",
      uid: "r-uid",
      annotations: { "rollout.argoproj.io/revision": revision },
    },
    spec: { paused: false },
    status: { phase, ...extra },
  };
}

const now = new Date("2024-01-01T00:00:00Z");
const degraded = cfg({
  "trigger.on-degraded":
    "- when: rollout.status.phase == 'Degraded' and not rollout.spec.paused\n  send: [t]",
});

function step(
  config: NotifierConfig,
  previous: CustomTriggerState | undefined,
  object: KubeObject,
  baseline = false,
) {
  return evaluateCustomTriggers({ config, previous, object, now, baseline });
}

describe("evaluateCustomTriggers", () => {
  it("fires when the condition becomes true, not while it stays true; again after it was false", () => {
    const a = step(degraded, undefined, rollout("Healthy"));
    expect(a.transitions).toEqual([]);
    const b = step(degraded, a.state, rollout("Degraded"));
    expect(b.transitions).toHaveLength(1);
    const t = b.transitions[0]!;
    expect(t).toMatchObject({
      trigger: "on-degraded",
      object: { kind: "Rollout", namespace: "shop", name: "web", uid: "r-uid" },
      rollout: { kind: "Rollout", name: "web", uid: "r-uid" },
      revision: "1",
      condition: 0,
    });
    expect(t.id).toMatch(/^r-uid:on-degraded:0:[\w-]+:1$/);
    expect(step(degraded, b.state, rollout("Degraded")).transitions).toEqual([]);
    const c = step(degraded, b.state, rollout("Healthy"));
    const d = step(degraded, c.state, rollout("Degraded"));
    expect(d.transitions).toHaveLength(1);
    expect(d.transitions[0]!.id).not.toBe(t.id);
  });

  it("a condition not evaluated in time (the namespace's share used up) keeps what was known: no false rise, no lost rise", () => {
    const outOfTime = { at: Date.now() - 1, reason: "the namespace has used its share of rendering time" };
    const late = (previous: CustomTriggerState | undefined, object: KubeObject) =>
      withConditionDeadline(outOfTime, () => step(degraded, previous, object));

    // true for a while, then an update evaluated too late: still known true, so the next update sends nothing
    const on = step(degraded, step(degraded, undefined, rollout("Healthy")).state, rollout("Degraded"));
    expect(on.transitions).toHaveLength(1);
    const cut = late(on.state, rollout("Degraded", "1", { message: "still degraded" }));
    expect(cut.transitions).toEqual([]);
    expect(cut.problems.map((p) => p.message)).toEqual([
      "when: the namespace has used its share of rendering time",
    ]);
    expect(cut.state).toEqual(on.state);
    expect(step(degraded, cut.state, rollout("Degraded")).transitions).toEqual([]);

    // false before, true during the cut: the rise is sent at the next update evaluated in time
    const off = step(degraded, undefined, rollout("Healthy"));
    const missed = late(off.state, rollout("Degraded"));
    expect(missed.transitions).toEqual([]);
    expect(step(degraded, missed.state, rollout("Degraded")).transitions).toHaveLength(1);

    // a new object seen during a cut stays "new": true at its next update sends
    const fresh = late(undefined, rollout("Degraded"));
    expect(fresh.transitions).toEqual([]);
    expect(step(degraded, fresh.state, rollout("Degraded")).transitions).toHaveLength(1);
  });

  it("a new object (no state, not baseline) fires when already true; a baseline does not", () => {
    expect(step(degraded, undefined, rollout("Degraded")).transitions).toHaveLength(1);
    const base = step(degraded, undefined, rollout("Degraded"), true);
    expect(base.transitions).toEqual([]);
    expect(step(degraded, base.state, rollout("Degraded")).transitions).toEqual([]);
  });

  it("the same detection from the same saved state has the same id (crash before the state was saved)", () => {
    const s = step(degraded, undefined, rollout("Healthy")).state;
    const first = step(degraded, s, rollout("Degraded")).transitions[0]!.id;
    const later = step(degraded, s, rollout("Degraded", "1", { message: "changed since" })).transitions[0]!
      .id;
    expect(later).toBe(first);
  });

  it("oncePer: fires again only when the oncePer value changes", () => {
    const config = cfg({
      "trigger.on-degraded": [
        "- when: rollout.status.phase == 'Degraded'",
        "  oncePer: rollout.metadata.annotations['rollout.argoproj.io/revision']",
        "  send: [t]",
      ].join("\n"),
    });
    const a = step(config, undefined, rollout("Degraded", "1"));
    expect(a.transitions.map((t) => t.id)).toEqual([expect.stringMatching(/:once:1$/)]);
    const b = step(config, a.state, rollout("Degraded", "1", { message: "x" }));
    expect(b.transitions).toEqual([]);
    const c = step(config, b.state, rollout("Degraded", "2"));
    expect(c.transitions.map((t) => t.id)).toEqual([expect.stringMatching(/:once:2$/)]);
    // false then true with the same value: same id as before, so the queue sends it once per value
    const d = step(config, c.state, rollout("Healthy", "2"));
    const e = step(config, d.state, rollout("Degraded", "2"));
    expect(e.transitions.map((t) => t.id)).toEqual(c.transitions.map((t) => t.id));
  });

  it("adding or editing a condition does not notify every known object at once", () => {
    const s = step(degraded, undefined, rollout("Degraded"), true).state;
    const edited = cfg({ "trigger.on-degraded": "- when: rollout.status.phase == 'Degraded'\n  send: [t]" });
    expect(step(edited, s, rollout("Degraded")).transitions).toEqual([]);
    const added = cfg({
      "trigger.on-degraded":
        "- when: rollout.status.phase == 'Degraded' and not rollout.spec.paused\n  send: [t]",
      "trigger.on-slow": "- when: rollout.status.phase == 'Degraded'\n  send: [t]",
    });
    expect(step(added, s, rollout("Degraded")).transitions).toEqual([]);
  });

  it("conditions on analysisRun run on AnalysisRuns (with the owning Rollout), the others on Rollouts", () => {
    const config = cfg({
      "trigger.on-metric-failed": [
        "- when: analysisRun.status.phase == 'Failed' and rollout.metadata.name == 'rollout-background-analysis'",
        "  send: [t]",
      ].join("\n"),
      "trigger.on-degraded": "- when: rollout.status.phase == 'Degraded'\n  send: [t]",
    });
    expect(conditionSubject(config.triggers["on-metric-failed"]![0]!)).toBe("AnalysisRun");
    const run = readObject("test/config/fixtures/analysisrun-failed.yaml");
    const owner = readObject("test/config/fixtures/rollout-aborted.yaml");
    const r = evaluateCustomTriggers({ config, previous: undefined, object: run, rollout: owner, now });
    expect(r.problems).toEqual([]);
    expect(r.transitions).toHaveLength(1);
    expect(r.transitions[0]).toMatchObject({
      trigger: "on-metric-failed",
      object: { kind: "AnalysisRun", name: "rollout-background-analysis-db976bc44-2" },
      rollout: {
        kind: "Rollout",
        name: "rollout-background-analysis",
        uid: "aeddde25-f8bd-4a68-a4a1-523a559bdb83",
      },
      revision: "2",
    });
    // the Rollout-scoped trigger is not evaluated on the AnalysisRun, nor the AnalysisRun one on a Rollout
    expect(step(config, undefined, rollout("Degraded")).transitions.map((t) => t.trigger)).toEqual([
      "on-degraded",
    ]);
  });

  it("built-in triggers with a `when` also run on the condition path, keyed per event of the trigger", () => {
    const config = cfg({
      "trigger.on-rollout-completed": "- when: rollout.status.phase == 'Healthy'\n  send: [t]",
    });
    const r = step(config, undefined, rollout("Healthy"));
    // no completion event seen yet in revision 1: the revision anchors the key
    expect(r.transitions).toMatchObject([
      {
        trigger: "on-rollout-completed",
        path: "condition",
        condition: 0,
        id: expect.stringMatching(/^r-uid\/on-rollout-completed\/r1\/c0-/),
      },
    ]);
    // conditions without `when` never fire on the condition path (upstream compiles them as `false`)
    const plain = cfg({ "trigger.on-rollout-completed": "- send: [t]" });
    expect(step(plain, undefined, rollout("Healthy")).transitions).toEqual([]);
  });

  it("evaluation errors are problems naming the trigger and condition; the condition counts as false", () => {
    const config = cfg({ "trigger.on-odd": "- when: rollout.status.phase + 1 == 2\n  send: [t]" });
    const r = step(config, undefined, rollout("Degraded"));
    expect(r.transitions).toEqual([]);
    expect(r.problems).toEqual([
      { trigger: "on-odd", index: 0, message: "when: invalid operation: string + int" },
    ]);
  });
});
