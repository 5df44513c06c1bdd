// The watcher's detectors bound the conditions of one object event together (src/triggers/condition-deadline.ts):
// a namespace's ConfigMap may hold hundreds of custom triggers whose conditions each run near their own bound over
// the namespace's own Rollout; past the render time budget the rest fail at once (reported, false), and a
// namespace with its own config is charged for the time (src/templates/render-share.ts): with its share used, its
// conditions are not evaluated at all.
import { describe, expect, it } from "vitest";
import { configuredDetectors } from "../../src/app/configured-detectors.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { SubscriptionProblem } from "../../src/subscriptions/annotation-subscriptions.ts";
import { setDefaultRenderBudget } from "../../src/templates/render-budget.ts";
import { FREE_MS_PER_PIECE, RenderShare } from "../../src/templates/render-share.ts";
import { configMap, readObject } from "../config/load-examples.ts";

const canary = readObject("test/config/fixtures/canary-rollout.yaml");
const env = Array.from({ length: 3000 }, (_, i) => ({ name: `E${i}`, value: "x" }));
const rollout: KubeObject = {
  ...canary,
  metadata: { ...canary.metadata, namespace: "team" },
  spec: { ...canary.spec, template: { spec: { containers: [{ name: "app", env }] } } },
};
const list = "rollout.spec.template.spec.containers[0].env";
const TRIGGERS = 300;

function detectWith(opts: { timeMs: number; share?: RenderShare }) {
  const data: Record<string, string> = { "template.t": "message: x" };
  // each condition stops at its own bound (10,000 predicate evaluations): 300 of them took seconds together
  for (let i = 0; i < TRIGGERS; i++) {
    data[`trigger.on-heavy-${i}`] = `- when: all(${list}, {all(${list}, {.name != ''})})\n  send: [t]`;
  }
  const loaded = loadNotifierConfig(configMap(data, "team"), undefined, { tenantNamespace: "team" });
  expect(loaded.errors).toEqual([]);
  const problems: SubscriptionProblem[] = [];
  const previous = setDefaultRenderBudget({ timeMs: opts.timeMs });
  try {
    const detectors = configuredDetectors({
      configFor: () => loaded.config,
      reportProblems: (_uid, p) => problems.push(...p),
      ...(opts.share ? { renderShare: { share: opts.share, appliesTo: (ns) => ns === "team" } } : {}),
    });
    detectors.Rollout.detect(undefined, rollout, {
      baseline: false,
      lookupExperiment: () => undefined,
      lookupRollout: () => undefined,
    });
  } finally {
    setDefaultRenderBudget(previous);
  }
  const messages = problems.map((p) => p.message);
  return {
    ownBound: messages.filter((m) => /more than 10000 predicate evaluations/.test(m)).length,
    deadline: messages.filter((m) => /took longer than 200 ms together \(RENDER_TIMEOUT_MS\)/.test(m)).length,
    share: messages.filter((m) =>
      /share of rendering time \(RENDER_SHARE_PERCENT\): condition not evaluated/.test(m),
    ).length,
    total: messages.length,
  };
}

describe("configured detectors: the conditions of one object event", () => {
  it("stop together at the render time budget: the rest fail at once, each reported", () => {
    const r = detectWith({ timeMs: 200 });
    expect(r.total).toBe(TRIGGERS);
    expect(r.ownBound).toBeGreaterThan(0);
    expect(r.deadline).toBeGreaterThan(0);
    expect(r.ownBound + r.deadline).toBe(TRIGGERS);
  });

  it("of a namespace without render share left are not evaluated, and the namespace is charged for the time", () => {
    const share = new RenderShare({ percent: 1, burstMs: 1_000 });
    share.charge("team", 1_000);
    const none = detectWith({ timeMs: 200, share });
    expect(none).toMatchObject({ ownBound: 0, deadline: 0, share: TRIGGERS });

    const fresh = new RenderShare({ percent: 1, burstMs: 50 });
    const some = detectWith({ timeMs: 200, share: fresh });
    expect(some.ownBound).toBeGreaterThan(0);
    expect(some.share).toBeGreaterThan(0);
    expect(some.deadline).toBe(0);
    // charged for the time past the free FREE_MS_PER_PIECE: it ran at least until the share's 50 ms were used
    expect(fresh.available("team")).toBeLessThanOrEqual(50 - (50 - FREE_MS_PER_PIECE) + 2);
  });
});
