// The cluster the benchmark watches: Rollouts and AnalysisRuns cloned from the controller-written fixtures in
// test/fixtures/argo-rollouts (real sizes and shapes), each Rollout subscribed to one webhook service.
// A "step" is what the controller writes when a canary step completes: status.currentStepIndex + 1, which the
// watcher turns into exactly one on-rollout-step-completed transition.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../src/kube/objects.ts";
import { ARGO_FIXTURES_DIR } from "../test/support/argo-fixtures.ts";
import type { KubeApiServer } from "../test/support/kube-api-server/index.ts";

const ROLLOUT_FIXTURE = `${ARGO_FIXTURES_DIR}/canary/canary-rollout.yaml`;
const ANALYSIS_RUN_FIXTURE = `${ARGO_FIXTURES_DIR}/experiment-analysis/canary-analysis.yaml`;

export const SERVICE_NAMESPACE = "argo-rollouts";
export const WEBHOOK_SERVICE = "bench";
export const SUBSCRIBED_TRIGGER = "on-rollout-step-completed";

export interface BenchRollout {
  namespace: string;
  name: string;
  uid: string;
  /** status.currentStepIndex as last written. */
  stepIndex: number;
  /** Number of canary steps (the index never goes past it, as with the controller). */
  steps: number;
}

export interface World {
  rollouts: BenchRollout[];
  analysisRuns: number;
  /** Serialized size (bytes) of one Rollout and one AnalysisRun as loaded. */
  rolloutBytes: number;
  analysisRunBytes: number;
}

function fixture(path: string): KubeObject {
  return parse(readFileSync(path, "utf8")) as KubeObject;
}

/** The notifier's ConfigMap: one webhook service pointing at the local sink (built-in webhook template). */
export function loadNotifierConfig(api: KubeApiServer, sinkUrl: string): void {
  api.objects.load({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace: SERVICE_NAMESPACE },
    data: { [`service.webhook.${WEBHOOK_SERVICE}`]: `url: ${sinkUrl}/hook\n` },
  });
}

/**
 * Loads `rollouts` Rollouts spread over `namespaces` namespaces, and `runsPerRollout` AnalysisRuns owned by each
 * (revisions before and at the Rollout's), as a controller left them.
 */
export function loadWorld(
  api: KubeApiServer,
  opts: { rollouts: number; runsPerRollout: number; namespaces: number; prefix?: string },
): World {
  const rolloutTemplate = fixture(ROLLOUT_FIXTURE);
  const runTemplate = fixture(ANALYSIS_RUN_FIXTURE);
  const prefix = opts.prefix ?? "bench";
  const rollouts: BenchRollout[] = [];
  const strategy = rolloutTemplate.spec?.strategy as { canary?: { steps?: unknown[] } } | undefined;
  const steps = strategy?.canary?.steps?.length ?? 0;
  const revision = Number(rolloutTemplate.metadata.annotations?.["rollout.argoproj.io/revision"] ?? "1");
  let rolloutBytes = 0;
  let analysisRunBytes = 0;
  for (let i = 0; i < opts.rollouts; i++) {
    const namespace = `${prefix}-ns-${i % opts.namespaces}`;
    const name = `${prefix}-${i}`;
    const uid = randomUUID();
    const ro = structuredClone(rolloutTemplate);
    delete ro.metadata.resourceVersion;
    ro.metadata = {
      ...ro.metadata,
      name,
      namespace,
      uid,
      annotations: {
        ...ro.metadata.annotations,
        [`notifications.argoproj.io/subscribe.${SUBSCRIBED_TRIGGER}.${WEBHOOK_SERVICE}`]: "",
      },
      labels: { ...ro.metadata.labels, app: name },
    };
    const loaded = api.objects.load(ro);
    if (i === 0) rolloutBytes = JSON.stringify(loaded).length;
    rollouts.push({ namespace, name, uid, stepIndex: 0, steps });

    for (let k = 0; k < opts.runsPerRollout; k++) {
      const run = structuredClone(runTemplate);
      delete run.metadata.resourceVersion;
      const runRevision = String(revision - opts.runsPerRollout + 1 + k);
      run.metadata = {
        ...run.metadata,
        name: `${name}-${runRevision}-${k}`,
        namespace,
        uid: randomUUID(),
        annotations: { ...run.metadata.annotations, "rollout.argoproj.io/revision": runRevision },
        ownerReferences: [
          {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            name,
            uid,
            controller: true,
          },
        ],
      };
      const loadedRun = api.objects.load(run);
      if (i === 0 && k === 0) analysisRunBytes = JSON.stringify(loadedRun).length;
    }
  }
  return { rollouts, analysisRuns: opts.rollouts * opts.runsPerRollout, rolloutBytes, analysisRunBytes };
}

/** `${name}#${index}`: how the sink matches a delivery (rollout.name, rollout.step.index) to its write. */
export function stepKey(name: string, index: number): string {
  return `${name}#${index}`;
}

/**
 * Picks the next Rollout that still has a step to complete (round robin from `cursor`) and writes its status as
 * the controller does on a step completion. Returns the step key written, or undefined when every Rollout is at
 * its last step.
 */
export class StepWriter {
  private cursor = 0;
  private readonly api: KubeApiServer;
  private readonly rollouts: BenchRollout[];

  constructor(api: KubeApiServer, rollouts: BenchRollout[]) {
    this.api = api;
    this.rollouts = rollouts;
  }

  /** Steps still available. */
  remaining(): number {
    let n = 0;
    for (const r of this.rollouts) n += r.steps - r.stepIndex;
    return n;
  }

  next(): string | undefined {
    for (let tried = 0; tried < this.rollouts.length; tried++) {
      const r = this.rollouts[this.cursor]!;
      this.cursor = (this.cursor + 1) % this.rollouts.length;
      if (r.stepIndex >= r.steps) continue;
      r.stepIndex++;
      this.api.objects.patchStatus(
        { kind: "Rollout", namespace: r.namespace, name: r.name },
        { status: { currentStepIndex: r.stepIndex } },
      );
      return stepKey(r.name, r.stepIndex);
    }
    return undefined;
  }
}
