// A small model of what the Argo Rollouts controller (and the kubectl plugin) write to a canary Rollout, for
// property tests: a list of commands becomes the list of snapshots a watch would deliver, one per update.
import fc from "fast-check";
import type { KubeObject } from "../../src/kube/objects.ts";

export const COMMANDS = [
  "update",
  "changeSteps",
  "stepComplete",
  "pauseStart",
  "promote",
  "abort",
  "retry",
  "promoteFull",
  "complete",
  "userPause",
  "userResume",
  "scale",
  "noise",
  "inconclusive",
] as const;
export type Command = (typeof COMMANDS)[number];

const STEP_LISTS = [
  {
    hash: "sA",
    steps: [{ setWeight: 20 }, { pause: { duration: "10s" } }, { setWeight: 60 }, { pause: {} }],
  },
  { hash: "sB", steps: [{ pause: {} }, { setWeight: 50 }] },
];

interface Model {
  created: boolean;
  rev: number;
  annotated: number | undefined;
  pod: string | undefined;
  stable: string | undefined;
  stepList: number;
  index: number | undefined;
  aborted: boolean;
  abortedAt: string | undefined;
  pause: { reason: string; startTime: string } | undefined;
  controllerPause: boolean;
  promoteFull: boolean;
  specPaused: boolean;
  generation: number;
  replicas: number;
  ready: number;
  rv: number;
  t: number;
}

const time = (t: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, t)).toISOString().replace(".000Z", "Z");

function snapshot(m: Model): KubeObject {
  const list = STEP_LISTS[m.stepList]!;
  const status: Record<string, unknown> = { blueGreen: {}, canary: {}, readyReplicas: m.ready };
  if (m.pod !== undefined) {
    Object.assign(status, {
      currentPodHash: m.pod,
      currentStepHash: list.hash,
      replicas: m.replicas,
      updatedReplicas: m.replicas,
    });
    if (m.index !== undefined) status.currentStepIndex = m.index;
  }
  if (m.stable !== undefined) status.stableRS = m.stable;
  if (m.aborted) status.abort = true;
  if (m.abortedAt !== undefined) status.abortedAt = m.abortedAt;
  if (m.pause) status.pauseConditions = [m.pause];
  if (m.controllerPause) status.controllerPause = true;
  if (m.promoteFull) status.promoteFull = true;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: "model",
      namespace: "ns",
      uid: "model-uid",
      generation: m.generation,
      resourceVersion: String(m.rv),
      ...(m.annotated !== undefined
        ? { annotations: { "rollout.argoproj.io/revision": String(m.annotated) } }
        : {}),
    },
    spec: {
      replicas: m.replicas,
      ...(m.specPaused ? { paused: true } : {}),
      strategy: { canary: { steps: list.steps } },
    },
    ...(m.pod !== undefined || m.stable !== undefined ? { status } : {}),
  };
}

/** Applies one command; returns the snapshots it causes (none when the command does not apply now). */
function apply(m: Model, cmd: Command): KubeObject[] {
  const out: KubeObject[] = [];
  const emit = () => {
    m.rv++;
    m.t++;
    out.push(snapshot(m));
  };
  const steps = STEP_LISTS[m.stepList]!.steps;
  const current = m.index !== undefined ? steps[m.index] : undefined;
  const progressing = m.pod !== undefined && m.stable !== m.pod && !m.aborted;
  switch (cmd) {
    case "update":
      m.generation++;
      emit(); // spec only
      m.pod = `p${m.generation}`;
      m.index = 0;
      m.aborted = false;
      m.abortedAt = undefined;
      m.pause = undefined;
      m.controllerPause = false;
      m.promoteFull = false;
      emit(); // status reset, annotation not yet bumped
      m.rev++;
      m.annotated = m.rev;
      emit(); // the controller's own update: revision
      break;
    case "changeSteps":
      if (m.pod === undefined) break;
      m.generation++;
      m.stepList = 1 - m.stepList;
      m.index = m.stable === m.pod ? STEP_LISTS[m.stepList]!.steps.length : 0;
      m.pause = undefined;
      m.controllerPause = false;
      emit();
      break;
    case "stepComplete": {
      if (!progressing || m.specPaused || current === undefined || m.promoteFull) break;
      if ("pause" in current) {
        const timed = (current.pause as { duration?: string }).duration !== undefined;
        if (timed ? m.pause === undefined : !(m.controllerPause && m.pause === undefined)) break;
      }
      m.index = m.index! + 1;
      m.pause = undefined;
      m.controllerPause = false;
      emit();
      break;
    }
    case "pauseStart":
      if (!progressing || m.specPaused || !current || !("pause" in current) || m.pause || m.controllerPause)
        break;
      m.pause = { reason: "CanaryPauseStep", startTime: time(m.t + 1) };
      m.controllerPause = true;
      emit();
      break;
    case "inconclusive":
      if (!progressing || m.pause) break;
      m.pause = { reason: "InconclusiveAnalysisRun", startTime: time(m.t + 1) };
      m.controllerPause = true;
      emit();
      break;
    case "promote":
      if (!m.pause) break;
      m.pause = undefined;
      emit();
      break;
    case "abort":
      if (!progressing) break;
      m.aborted = true;
      emit(); // kubectl argo rollouts abort
      m.abortedAt = time(m.t + 1);
      m.pause = undefined;
      m.controllerPause = false;
      m.index = 0;
      emit(); // the controller reacts
      break;
    case "retry":
      if (!m.aborted) break;
      m.aborted = false;
      emit(); // kubectl argo rollouts retry
      m.abortedAt = undefined;
      emit();
      break;
    case "promoteFull":
      if (!progressing) break;
      m.promoteFull = true;
      m.index = steps.length;
      m.pause = undefined;
      m.controllerPause = false;
      emit();
      m.promoteFull = false;
      m.stable = m.pod;
      emit();
      break;
    case "complete":
      if (!progressing || m.index !== steps.length) break;
      m.stable = m.pod;
      emit();
      break;
    case "userPause":
      if (m.specPaused) break;
      m.generation++;
      m.specPaused = true;
      emit();
      break;
    case "userResume":
      if (!m.specPaused) break;
      m.generation++;
      m.specPaused = false;
      emit();
      break;
    case "scale":
      m.generation++;
      m.replicas = m.replicas === 2 ? 3 : 2;
      emit();
      break;
    case "noise":
      m.ready = m.ready === 0 ? 1 : 0;
      emit();
      break;
  }
  return out;
}

export interface ModelHistory {
  /** true: the first snapshot is a Rollout that existed before watching (baseline); false: created (ADDED). */
  existing: boolean;
  snapshots: KubeObject[];
}

export function buildHistory(existing: boolean, commands: Command[]): ModelHistory {
  const m: Model = {
    created: !existing,
    rev: existing ? 3 : 0,
    annotated: existing ? 3 : undefined,
    pod: existing ? "p0" : undefined,
    stable: existing ? "p0" : undefined,
    stepList: 0,
    index: existing ? STEP_LISTS[0]!.steps.length : undefined,
    aborted: false,
    abortedAt: undefined,
    pause: undefined,
    controllerPause: false,
    promoteFull: false,
    specPaused: false,
    generation: 1,
    replicas: 2,
    ready: 0,
    rv: 100,
    t: 0,
  };
  const snapshots = [snapshot(m)];
  if (!existing) {
    // the controller's first updates for a new Rollout: status, revision 1, initial deploy (steps skipped)
    m.pod = "p1";
    m.index = 0;
    m.rv++;
    snapshots.push(snapshot(m));
    m.rev = 1;
    m.annotated = 1;
    m.rv++;
    snapshots.push(snapshot(m));
    m.stable = "p1";
    m.index = STEP_LISTS[0]!.steps.length;
    m.rv++;
    snapshots.push(snapshot(m));
  }
  for (const cmd of commands) snapshots.push(...apply(m, cmd));
  return { existing, snapshots };
}

export const historyArb: fc.Arbitrary<ModelHistory> = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...COMMANDS), { minLength: 1, maxLength: 40 }))
  .map(([existing, commands]) => buildHistory(existing, commands));
