// The smallest input a hand-off plans notifications from: Rollout "web" in namespace "team" (Healthy), subscribed
// to on-rollout-completed through its annotations, the transition, and the watcher's view of the world.
import type { KubeObject } from "../../src/kube/objects.ts";
import type { Transition } from "../../src/triggers/transition.ts";

const P = "notifications.argoproj.io";

/** `subscriptions`: service → recipients (the annotation's value), in annotation order. */
export function completedRollout(subscriptions: Record<string, string>) {
  const annotations = Object.fromEntries(
    Object.entries(subscriptions).map(([service, to]) => [
      `${P}/subscribe.on-rollout-completed.${service}`,
      to,
    ]),
  );
  const rollout: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "team", uid: "uid-web", annotations },
    spec: {},
    status: { phase: "Healthy" },
  };
  const ref = () => ({ kind: "Rollout", namespace: "team", name: "web", uid: "uid-web" });
  const transition: Transition = {
    id: "t-1",
    trigger: "on-rollout-completed",
    object: ref(),
    rollout: ref(),
    snapshot: rollout,
  };
  const world = { getRollout: () => rollout, getNamespace: () => undefined, analysisRunsIn: () => [] };
  return { rollout, transition, world };
}
