// Fault: every watch stream (Rollouts, AnalysisRuns, Experiments, Namespaces, the ConfigMap and Secret) dropped
// every E2E_WATCH_DROP_MS (default 5 s; every other drop an abrupt connection reset) while the story plays, paced
// by E2E_WATCH_STEP_MS between controller writes so that several drops land mid-rollout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eWorld, startE2eWorld } from "./harness.ts";
import { playStory, prepareStory, type StoryRun, sleep, waitSettled } from "./story.ts";
import { assertStoryDelivered } from "./story-expectations.ts";

const DROP_EVERY_MS = Number(process.env.E2E_WATCH_DROP_MS ?? 5_000);
const STEP_MS = Number(process.env.E2E_WATCH_STEP_MS ?? 450);

describe(`all watches dropped every ${DROP_EVERY_MS / 1000} s`, () => {
  let world: E2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld();
    run = prepareStory(world, "drops");
    await world.startService();
  }, 60_000);
  afterAll(() => world?.stop());

  it("loses and doubles nothing", { timeout: 180_000 }, async () => {
    let drops = 0;
    const timer = setInterval(() => {
      world.api.faults.dropWatches({ abrupt: drops % 2 === 1 });
      drops++;
    }, DROP_EVERY_MS);
    try {
      await playStory(world, run, () => sleep(STEP_MS));
    } finally {
      clearInterval(timer);
    }
    await waitSettled(world, 120_000);
    expect(drops, "watch drops during the story").toBeGreaterThanOrEqual(2);
    await assertStoryDelivered(world, run);
  });
});
