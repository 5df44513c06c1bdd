// The e2e story: examples/histories/canary-analysis-failure.yaml played into the API server for one Rollout
// (renamed per run), step by step, each step waited for until the service has handled it — its detection state
// saved in Redis and the transitions it fires recorded in the transition log — so no intermediate controller
// state is collapsed. The expected states and transition ids come from the pure detectors run offline over the
// same steps.

import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../src/kube/objects.ts";
import { watchKeyPrefix, watchKeys } from "../../src/redis/keys.ts";
import { KIND_DETECTORS } from "../../src/triggers/kind-detectors.ts";
import { HISTORIES } from "../replay/expected-histories.ts";
import { applyStep, type HistoryStep, readHistory, renameHistory } from "../support/history-player.ts";
import { ANNOTATION_PREFIX, type AnyE2eWorld, APP_NAMESPACE } from "./harness.ts";

export const STORY_HISTORY = "examples/histories/canary-analysis-failure.yaml";
const HISTORY = readHistory(STORY_HISTORY);

/** What the service must have done once a step is handled. */
export interface ExpectedStep {
  uid: string;
  /** The detection state saved for the object after this step. */
  state: unknown;
  /** Transitions this step fires (ids and triggers, opt-in ones included: they are recorded too). */
  transitions: { id: string; trigger: string }[];
}

export interface StoryRun {
  suffix: string;
  /** Rollout name. */
  rollout: string;
  namespace: string;
  /** Slack channel the Rollout subscribes (by annotation) with the default triggers. */
  channel: string;
  steps: HistoryStep[];
  expected: ExpectedStep[];
  /** Steps written so far. */
  played: number;
}

/** Every trigger of the story, in order (README row of canary-analysis-failure.yaml). */
export const STORY_TRIGGERS: readonly string[] = HISTORIES["canary-analysis-failure.yaml"]!;

/**
 * A fresh Rollout for the story: names suffixed, in APP_NAMESPACE, subscribed to Slack channel `deploys-<suffix>`
 * (created in the fake Slack). Its first document (the Rollout as it was when recording started) is written
 * now: call this before the service starts so the Rollout is a baseline, as on a real install.
 */
export function prepareStory(world: AnyE2eWorld, suffix: string): StoryRun {
  const channel = `deploys-${suffix}`;
  world.slack.addChannel({ name: channel });
  return prepareStoryIn(world, {
    suffix,
    namespace: APP_NAMESPACE,
    channel,
    annotations: { [`${ANNOTATION_PREFIX}/subscribe.slack`]: channel },
  });
}

/**
 * prepareStory in any namespace, with the Rollout's own subscription annotations (`channel`: the Slack channel
 * they name, if any, created by the caller).
 */
export function prepareStoryIn(
  world: AnyE2eWorld,
  opts: { suffix: string; namespace: string; annotations: Record<string, string>; channel?: string },
): StoryRun {
  const steps = renameHistory(HISTORY, opts.suffix, opts.namespace).map((s) => {
    if (s.object.kind !== "Rollout") return s;
    const object = structuredClone(s.object);
    object.metadata.annotations = { ...object.metadata.annotations, ...opts.annotations };
    return { ...s, object };
  });
  const run: StoryRun = {
    suffix: opts.suffix,
    rollout: steps[0]!.object.metadata.name,
    namespace: opts.namespace,
    channel: opts.channel ?? "",
    steps,
    expected: expectedSteps(steps),
    played: 0,
  };
  applyStep(world.api, steps[0]!);
  run.played = 1;
  return run;
}

/** Offline detection over the steps: the first is a baseline (present at start), the rest are watch events. */
export function expectedSteps(steps: HistoryStep[]): ExpectedStep[] {
  const states = new Map<string, unknown>();
  return steps.map((step, i) => {
    const obj = step.object;
    const uid = obj.metadata.uid!;
    const kind = obj.kind as "Rollout" | "AnalysisRun";
    const detected = KIND_DETECTORS[kind].detect(states.get(uid), obj, {
      baseline: i === 0,
      lookupExperiment: () => undefined,
    });
    states.set(uid, detected.state);
    return {
      uid,
      state: JSON.parse(JSON.stringify(detected.state)) as unknown,
      transitions: detected.transitions.map((t) => ({ id: t.id, trigger: t.trigger })),
    };
  });
}

const createdAt = new Map<string, string>();

/**
 * Writes the next step as the controller would. Objects the controller creates during the story (AnalysisRuns)
 * get a creationTimestamp of now (the recorded ones are from the recording day), as on a real cluster.
 */
export function writeNextStep(world: AnyE2eWorld, run: StoryRun): number {
  const i = run.played;
  const step = run.steps[i];
  if (!step) throw new Error(`story ${run.suffix}: no step ${i}`);
  let object: KubeObject = step.object;
  if (object.kind === "AnalysisRun") {
    object = structuredClone(object);
    const uid = object.metadata.uid!;
    if (!createdAt.has(uid)) createdAt.set(uid, new Date().toISOString());
    object.metadata.creationTimestamp = createdAt.get(uid);
  }
  applyStep(world.api, { type: step.type, object });
  run.played = i + 1;
  return i;
}

/** Whether the service has handled step `i`: its state saved and its transitions recorded. */
export async function isStepHandled(world: AnyE2eWorld, run: StoryRun, i: number): Promise<boolean> {
  const exp = run.expected[i]!;
  const prefix = watchKeyPrefix(world.redisClient);
  const saved = await world.redisClient.hget(watchKeys.objectStates(prefix), exp.uid);
  if (!saved) return false;
  // the watcher keeps {builtin, custom?} per object (src/triggers/object-transitions.ts); compare the built-in part
  const state = (JSON.parse(saved) as { state: unknown }).state;
  const builtin = state !== null && typeof state === "object" && "builtin" in state ? state.builtin : state;
  if (!isDeepStrictEqual(builtin, exp.state)) return false;
  if (exp.transitions.length === 0) return true;
  const n = await world.redisClient.exists(...exp.transitions.map((t) => watchKeys.transition(prefix, t.id)));
  return n === exp.transitions.length;
}

export async function waitStepHandled(
  world: AnyE2eWorld,
  run: StoryRun,
  i: number,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(
    () => isStepHandled(world, run, i),
    timeoutMs,
    () => {
      const exp = run.expected[i]!;
      return `step ${i} of story ${run.suffix} to be handled (${exp.transitions.map((t) => t.trigger).join(", ") || "no transitions"})\n${world.dumpLogs(15)}`;
    },
  );
}

/**
 * Writes the next step of a story whose channel has no message yet, and waits for the first one: the step and
 * the milliseconds from the write to the message.
 */
export async function firstMessageAfterNextStep(
  world: AnyE2eWorld,
  run: StoryRun,
  timeoutMs: number,
): Promise<{ step: number; ms: number }> {
  const writtenAt = Date.now();
  const step = writeNextStep(world, run);
  await eventually(
    () => world.slack.messages(run.channel).length > 0,
    timeoutMs,
    () => `a notification in Slack channel ${run.channel}\n${world.dumpLogs(20)}`,
    10,
  );
  return { step, ms: Date.now() - writtenAt };
}

/** Plays each story, one after the other, until `played` of its steps are written and handled. */
export async function playEachUpTo(world: AnyE2eWorld, runs: StoryRun[], played: number): Promise<void> {
  for (const run of runs) while (run.played < played) await playNextStep(world, run);
}

/** Writes the next step and waits until the service handled it. */
export async function playNextStep(world: AnyE2eWorld, run: StoryRun, timeoutMs?: number): Promise<number> {
  const i = writeNextStep(world, run);
  await waitStepHandled(world, run, i, timeoutMs);
  return i;
}

/** Plays the rest of the story; `between(i)` runs after step i was written and handled. */
export async function playStory(
  world: AnyE2eWorld,
  run: StoryRun,
  between?: (i: number) => Promise<void> | void,
): Promise<void> {
  while (run.played < run.steps.length) {
    const i = await playNextStep(world, run);
    await between?.(i);
  }
}

/**
 * Waits until the queue holds no job on a few consecutive looks: no job waiting, delayed or active, and no
 * notification record still queued in the store (a record whose ready-set entry a kill lost is delivered by the
 * worker's repair sweep: late, not lost, and not settled before then).
 */
export async function waitSettled(world: AnyE2eWorld, timeoutMs = 60_000): Promise<void> {
  let quiet = 0;
  let queuedKeys: string[] = [];
  await eventually(
    async () => {
      const d = await world.queue.depth();
      queuedKeys = await world.queue.store.orderingKeys();
      quiet = d.waiting + d.delayed + d.active === 0 && queuedKeys.length === 0 ? quiet + 1 : 0;
      return quiet >= 3;
    },
    timeoutMs,
    () =>
      `the delivery queue to settle (ordering keys with queued records: ${queuedKeys.slice(0, 5).join(", ") || "none"})\n${world.dumpLogs(15)}`,
    100,
  );
}

export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
