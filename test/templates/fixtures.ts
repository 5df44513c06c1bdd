// Loads the Argo Rollouts fixtures in test/fixtures/argo-rollouts (real controller-written objects) for template tests.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

export const FIXTURES = ARGO_FIXTURES_DIR;

export function loadFixture(rel: string): KubeObject {
  return parse(readFileSync(`${FIXTURES}/${rel}`, "utf8")) as KubeObject;
}

export function installConfigMap(): { data: Record<string, string> } {
  return parse(readFileSync(`${FIXTURES}/notifications-install.yaml`, "utf8"));
}

export function transitionFor(
  trigger: string,
  subject: KubeObject,
  rollout: KubeObject = subject,
): Transition {
  const ref = (o: KubeObject) => ({
    kind: o.kind ?? "",
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name,
    uid: o.metadata.uid ?? "",
  });
  return { id: `test/${trigger}`, trigger, object: ref(subject), rollout: ref(rollout), snapshot: subject };
}
