// Recipients: one channel is one destination however it is written; control characters, bidi overrides and
// mentions are refused with a problem; a transition has a bounded number of destinations.
import { describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { NotifierConfig } from "../../src/config/types.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { normalizeRecipient } from "../../src/subscriptions/normalize-recipient.ts";
import { resolveDestinations } from "../../src/subscriptions/resolve-destinations.ts";
import { configMap } from "../config/load-examples.ts";

const P = "notifications.argoproj.io";

function cfg(): NotifierConfig {
  const r = loadNotifierConfig(
    configMap({ "service.slack": "token: t", "service.pagerdutyv2": "serviceKeys: {oncall: k}" }),
    undefined,
  );
  expect(r.errors).toEqual([]);
  return r.config;
}

const rollout = (annotations: Record<string, string>): KubeObject => ({
  kind: "Rollout",
  metadata: { name: "web", namespace: "shop", uid: "u", annotations },
});

describe("recipients", () => {
  it("`#deploys`, `deploys`, ` deploys` and `Deploys` are one Slack channel: one destination", () => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscribe.on-rollout-completed.slack`]: "deploys;#deploys; deploys;Deploys;# deploys",
        [`${P}/subscriptions`]:
          "- trigger: [on-rollout-completed]\n  destinations: [{service: slack, recipients: ['#deploys', ' deploys ']}]",
      }),
      config: cfg(),
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "deploys" }]);
    expect(r.problems).toEqual([]);
  });

  it("Slack channel ids are kept exactly", () => {
    expect(normalizeRecipient("slack", "C0123ABCD")).toEqual({ ok: true, recipient: "C0123ABCD" });
    expect(normalizeRecipient("slack", "#C0123ABCD")).toEqual({ ok: true, recipient: "C0123ABCD" });
  });

  it.each([
    ["new\nline", "control character (U+000A)"],
    ["nul\u0000", "control character (U+0000)"],
    ["evil\u202eslyt", "direction-changing character (U+202E)"],
    ["zero\u200bwidth", "direction-changing character (U+200B)"],
    ["<!channel>", "mention or markup"],
    ["<@U012345>", "mention or markup"],
    ["two words", "whitespace"],
  ])("%j is refused with a problem naming why", (recipient, why) => {
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({
        [`${P}/subscriptions`]: `- trigger: [on-rollout-completed]\n  destinations: [{service: slack, recipients: [${JSON.stringify(recipient)}, ok]}]`,
      }),
      config: cfg(),
    });
    expect(r.destinations).toEqual([{ service: "slack", recipient: "ok" }]);
    expect(r.problems.map((p) => p.message).join("\n")).toContain(why);
  });

  it("20,000 recipients in one annotation: capped (default 50) with a problem saying how many were not notified", () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `chan-${i}`).join(";");
    const r = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({ [`${P}/subscribe.on-rollout-completed.slack`]: many }),
      config: cfg(),
    });
    expect(r.destinations).toHaveLength(50);
    expect(r.destinations[49]).toEqual({ service: "slack", recipient: "chan-49" });
    expect(r.problems.map((p) => p.message)).toEqual([
      "19950 destination(s) beyond the cap of 50 per transition (MAX_DESTINATIONS_PER_TRANSITION) not notified for on-rollout-completed",
    ]);

    const capped = resolveDestinations({
      trigger: "on-rollout-completed",
      rollout: rollout({ [`${P}/subscribe.on-rollout-completed.slack`]: many }),
      config: cfg(),
      maxDestinations: 3,
    });
    expect(capped.destinations.map((d) => d.recipient)).toEqual(["chan-0", "chan-1", "chan-2"]);
  });
});
