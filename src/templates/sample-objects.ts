// Sample objects templates are dry-rendered against when a config loads (dry-render.ts): a Rollout and an
// AnalysisRun in the shapes the Argo Rollouts controller writes them. Derived from real controller-written
// objects (upstream argo-rollouts pkg/kubectl-argo-rollouts/info/testdata: canary/canary-rollout.yaml and
// rollout-aborted/analysisrun.yaml, copied in test/fixtures/argo-rollouts/), trimmed, with names made neutral.
// Read-only: frozen deeply, so a template cannot change them for the next dry-render.
import type { KubeObject } from "../kube/objects.ts";

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export const SAMPLE_ROLLOUT: KubeObject = deepFreeze({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: {
    annotations: { "rollout.argoproj.io/revision": "31" },
    creationTimestamp: "2019-10-25T06:07:18Z",
    generation: 429,
    labels: { app: "sample" },
    name: "sample",
    namespace: "sample",
    resourceVersion: "28253567",
    uid: "b350ba76-f6ed-11e9-a15b-42010aa80033",
  },
  spec: {
    progressDeadlineSeconds: 30,
    replicas: 5,
    revisionHistoryLimit: 3,
    selector: { matchLabels: { app: "sample" } },
    strategy: {
      canary: {
        canaryService: "sample-preview",
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: "10s" } }],
      },
    },
    template: {
      metadata: { creationTimestamp: null, labels: { app: "sample" } },
      spec: {
        containers: [
          {
            image: "argoproj/rollouts-demo:blue",
            imagePullPolicy: "Always",
            name: "sample",
            ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
            resources: { requests: { cpu: "5m", memory: "32Mi" } },
          },
        ],
      },
    },
  },
  status: {
    HPAReplicas: 6,
    availableReplicas: 5,
    blueGreen: {},
    canary: {},
    stableRS: "877894d5b",
    conditions: [
      {
        lastTransitionTime: "2019-10-25T06:07:29Z",
        lastUpdateTime: "2019-10-25T06:07:29Z",
        message: "Rollout has minimum availability",
        reason: "AvailableReason",
        status: "True",
        type: "Available",
      },
      {
        lastTransitionTime: "2019-10-28T04:52:55Z",
        lastUpdateTime: "2019-10-28T04:52:55Z",
        message: 'ReplicaSet "sample-65fb5ffc84" is progressing.',
        reason: "ReplicaSetUpdated",
        status: "True",
        type: "Progressing",
      },
    ],
    currentPodHash: "65fb5ffc84",
    currentStepHash: "f64cdc9d",
    currentStepIndex: 1,
    observedGeneration: "429",
    readyReplicas: 5,
    replicas: 6,
    selector: "app=sample",
    updatedReplicas: 1,
  },
} satisfies Record<string, unknown> as unknown as KubeObject);

export const SAMPLE_ANALYSIS_RUN: KubeObject = deepFreeze({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisRun",
  metadata: {
    annotations: { "rollout.argoproj.io/revision": "31" },
    creationTimestamp: "2020-09-22T09:10:04Z",
    generation: 2,
    labels: { "rollout-type": "Background", "rollouts-pod-template-hash": "65fb5ffc84" },
    name: "sample-65fb5ffc84-31",
    namespace: "sample",
    ownerReferences: [
      {
        apiVersion: "argoproj.io/v1alpha1",
        blockOwnerDeletion: true,
        controller: true,
        kind: "Rollout",
        name: "sample",
        uid: "b350ba76-f6ed-11e9-a15b-42010aa80033",
      },
    ],
    resourceVersion: "877974",
    uid: "f453c075-5964-4330-bb30-6bedad22d08b",
  },
  spec: {
    metrics: [
      {
        interval: "5s",
        name: "web",
        provider: { web: { jsonPath: "{$.completed}", url: "https://example.invalid/todos/1" } },
        successCondition: 'result == "true"',
      },
    ],
  },
  status: {
    message: 'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
    metricResults: [
      {
        count: 1,
        failed: 1,
        measurements: [
          {
            finishedAt: "2020-09-22T09:10:04Z",
            phase: "Failed",
            startedAt: "2020-09-22T09:10:04Z",
            value: "false",
          },
        ],
        name: "web",
        phase: "Failed",
      },
    ],
    phase: "Failed",
    startedAt: "2020-09-22T09:10:04Z",
  },
} satisfies Record<string, unknown> as unknown as KubeObject);
