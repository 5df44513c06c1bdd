// Fault: Slack answers HTTP 500 to every call (posts, updates, history reads) for E2E_SLACK_OUTAGE_MS (default
// 60 s) while the story plays. The harness caps one retry backoff at 2 s, so recovery follows the outage closely.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eWorld, startE2eWorld } from "./harness.ts";
import { playNextStep, prepareStory, type StoryRun, waitSettled } from "./story.ts";
import { assertStoryDelivered } from "./story-expectations.ts";

const OUTAGE_MS = Number(process.env.E2E_SLACK_OUTAGE_MS ?? 60_000);

describe(`Slack answering 500 for ${OUTAGE_MS / 1000} s`, () => {
  let world: E2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld();
    run = prepareStory(world, "outage");
    await world.startService();
  }, 60_000);
  afterAll(() => world?.stop());

  it("retries until Slack is back: every thread complete, in order, nothing posted twice", {
    timeout: OUTAGE_MS + 240_000,
  }, async () => {
    // revision 2's first messages get through, then Slack fails for the rest of revision 2 and beyond
    while (run.played < 8) await playNextStep(world, run);
    world.slackGate.failFor(OUTAGE_MS, 500);
    while (run.played < run.steps.length) await playNextStep(world, run);
    await waitSettled(world, OUTAGE_MS + 200_000);
    expect(world.slackGate.failedRequests, "Slack calls answered 500").toBeGreaterThan(0);
    await assertStoryDelivered(world, run);
  });
});
