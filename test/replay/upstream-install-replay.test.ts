// Upstream's own notifications-install.yaml (Go templates, triggers) over a recorded canary history, with the
// conditions users add to built-in triggers: exactly the notifications Argo Rollouts would send.
// Expectations from upstream's code (argo-rollouts rollout/canary.go records RolloutStepCompleted on the object
// before the status write, so `add .rollout.status.currentStepIndex 1` is the completed step's number;
// notifications-engine's controller sends a condition with a `when` when it becomes true), not from our output.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_CONDITION_DIFFERENCE } from "../../src/config/trigger-config.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../src/replay/parse-documents.ts";
import { isWatchEvent } from "../../src/triggers/transition-detector.ts";
import { upstreamInstall } from "../config/load-examples.ts";
import { historyPath } from "./expected-histories.ts";
import { replay, SLACK_TOKEN } from "./replay-kit.ts";

function config(extra: Record<string, string>): KubeObject[] {
  const cm = upstreamInstall();
  cm.metadata = { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" };
  cm.data = { ...cm.data, "service.slack": "token: $slack-token\n", ...extra };
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argo-rollouts-notification-secret", namespace: "argo-rollouts" },
    stringData: { "slack-token": SLACK_TOKEN },
  };
  return [cm, secret];
}

const SUBSCRIBE = {
  "notifications.argoproj.io/subscribe.on-rollout-step-completed.slack": "deploys",
  "notifications.argoproj.io/subscribe.on-rollout-completed.slack": "deploys",
  "notifications.argoproj.io/subscribe.on-rollout-aborted.slack": "deploys",
};

/** canary-abort-retry.yaml, subscribed by annotations, then an autoscaler flicker on the completed revision. */
function history(): ReplayItem[] {
  const items = parseReplayInput(readFileSync(historyPath("canary-abort-retry.yaml"), "utf8"));
  const rollouts: KubeObject[] = [];
  const out = items.map((item): ReplayItem => {
    if (!item.ok) return item;
    const annotate = (o: KubeObject): KubeObject => {
      if (o.kind !== "Rollout") return o;
      const copy = structuredClone(o);
      copy.metadata.annotations = { ...copy.metadata.annotations, ...SUBSCRIBE };
      rollouts.push(copy);
      return copy;
    };
    const input = isWatchEvent(item.input)
      ? { ...item.input, object: annotate(item.input.object) }
      : annotate(item.input);
    return { ...item, input };
  });
  // an HPA scales the completed revision 2 → 3: Progressing while the new pod starts, then Healthy again
  const last = rollouts.at(-1)!;
  const scaled = structuredClone(last);
  scaled.spec!.replicas = 3;
  scaled.metadata.generation = 3;
  Object.assign(scaled.status!, {
    phase: "Progressing",
    message: "updated replicas are still becoming available",
    observedGeneration: "3",
    HPAReplicas: 3,
    replicas: 3,
    updatedReplicas: 3,
  });
  const healthy = structuredClone(scaled);
  delete healthy.status!.message;
  Object.assign(healthy.status!, { phase: "Healthy", availableReplicas: 3, readyReplicas: 3 });
  const doc = (o: KubeObject, index: string): ReplayItem => ({
    ok: true,
    index,
    line: 0,
    input: { type: "MODIFIED", object: o },
  });
  return [
    ...out,
    doc(scaled, "hpa-1"),
    doc(healthy, "hpa-2"),
    doc(structuredClone(scaled), "hpa-3"),
    doc(healthy, "hpa-4"),
  ];
}

/** stderr without the warnings about the install's email sections (no email service here). */
/** The one load warning a built-in trigger key with `when`/`oncePer` gets (the deliberate difference, said). */
const builtinConditionWarning = (trigger: string) =>
  `warning: argo-rollouts/argo-rollouts-notification-configmap key "trigger.${trigger}": ${BUILTIN_CONDITION_DIFFERENCE}`;

const problems = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l !== "" && !/ \(email\)": accepted for compatibility and ignored$/.test(l));

const texts = (lines: Record<string, unknown>[]) =>
  lines.map((l) => `${l.trigger}: ${(l.notification as { postMessage: { text: string } }).postMessage.text}`);

describe("upstream notifications-install.yaml over a canary history", () => {
  it("step numbers as upstream renders them; `when` on built-ins sends once per event of the trigger", async () => {
    const r = await replay({
      items: history(),
      configObjects: config({
        "trigger.on-rollout-completed":
          "- when: rollout.status.phase == 'Healthy'\n  send: [rollout-completed]\n",
        "trigger.on-rollout-aborted":
          "- when: rollout.status.phase == 'Degraded'\n  send: [rollout-aborted]\n",
      }),
      mode: "dry-run",
    });
    expect(problems(r.stderr)).toEqual([
      builtinConditionWarning("on-rollout-aborted"),
      builtinConditionWarning("on-rollout-completed"),
    ]);
    expect(r.code).toBe(0);
    expect(r.lines.every((l) => l.service === "slack" && l.recipient === "deploys")).toBe(true);
    expect(texts(r.lines)).toEqual([
      // revision 1: the initial deploy completes (stableRS set while Progressing), then turns Healthy
      "on-rollout-completed: Rollout canary-demo has been completed.",
      // revision 2: step 1 of 2, abort (Degraded after the controller reacts), retry: steps 1 and 2 of 2
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      "on-rollout-aborted: Rollout canary-demo has been aborted.",
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      "on-rollout-step-completed: Rollout canary-demo step number 2/2 has been completed.",
      // revision 2 turns Healthy after its completion; the autoscaler's Progressing → Healthy does not repeat it
      "on-rollout-completed: Rollout canary-demo has been completed.",
    ]);
  });

  it("without `when` the built-ins send on their events only (the default install)", async () => {
    const r = await replay({ items: history(), configObjects: config({}), mode: "dry-run" });
    expect(problems(r.stderr)).toEqual([]);
    expect(texts(r.lines)).toEqual([
      "on-rollout-completed: Rollout canary-demo has been completed.",
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      "on-rollout-aborted: Rollout canary-demo has been aborted.",
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      "on-rollout-step-completed: Rollout canary-demo step number 2/2 has been completed.",
      "on-rollout-completed: Rollout canary-demo has been completed.",
    ]);
  });

  it("`rollout.status.abort != true` holds when abort is absent: sent on both paths, once per event", async () => {
    const r = await replay({
      items: history(),
      configObjects: config({
        "trigger.on-rollout-step-completed":
          "- when: rollout.status.abort != true\n  send: [rollout-step-completed]\n",
      }),
      mode: "dry-run",
    });
    expect(problems(r.stderr)).toEqual([builtinConditionWarning("on-rollout-step-completed")]);
    expect(texts(r.lines).filter((t) => t.startsWith("on-rollout-step-completed"))).toEqual([
      // the condition path: true on the new Rollout (no status yet: `add nil 1` is 1), as upstream
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      // the event path: each completed step, abort absent on the object the controller recorded it on
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      // upstream's condition path would send once more at the retry (abort: true → false); that is a repeat
      // of the same revision's last step event, so it is not sent again (docs/triggers-and-templates.md)
      "on-rollout-step-completed: Rollout canary-demo step number 1/2 has been completed.",
      "on-rollout-step-completed: Rollout canary-demo step number 2/2 has been completed.",
    ]);
  });

  it("`analysisRuns` in a condition: the Rollout's runs of its pod hash and revision, as upstream", async () => {
    const items = parseReplayInput(readFileSync(historyPath("canary-analysis-failure.yaml"), "utf8")).map(
      (item): ReplayItem => {
        if (!item.ok) return item;
        const o = isWatchEvent(item.input) ? item.input.object : (item.input as KubeObject);
        if (o.kind === "Rollout") {
          o.metadata.annotations = {
            ...o.metadata.annotations,
            "notifications.argoproj.io/subscribe.on-rollout-aborted.slack": "deploys",
          };
        }
        return item;
      },
    );
    const r = await replay({
      items,
      configObjects: config({
        "trigger.on-rollout-aborted": [
          "- when: rollout.status.phase == 'Degraded' and any(analysisRuns ?? [], {.status.phase == 'Failed'})",
          "  send: [rollout-aborted]",
        ].join("\n"),
      }),
      mode: "dry-run",
    });
    expect(problems(r.stderr)).toEqual([builtinConditionWarning("on-rollout-aborted")]);
    // revision 2's background analysis fails and the controller aborts (Degraded): one notification
    expect(texts(r.lines)).toEqual([
      "on-rollout-aborted: Rollout rollout-background-analysis has been aborted.",
    ]);
  });
});
