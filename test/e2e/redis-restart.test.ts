// Fault: Redis (appendonly, fsync always) killed and restarted mid-rollout, twice: once right after a write the
// service is handling, once between the failure and the fix. Queue, detection states, Slack threads and the
// PagerDuty incident record live in Redis; nothing may be lost or doubled.
import { afterAll, beforeAll, describe, it } from "vitest";
import { type E2eWorld, startE2eWorld } from "./harness.ts";
import {
  playNextStep,
  prepareStory,
  type StoryRun,
  sleep,
  waitSettled,
  waitStepHandled,
  writeNextStep,
} from "./story.ts";
import { assertStoryDelivered } from "./story-expectations.ts";

const DOWN_MS = Number(process.env.E2E_REDIS_DOWN_MS ?? 2_000);

describe("Redis restarted mid-rollout", () => {
  let world: E2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld({ appendonly: true });
    run = prepareStory(world, "redis");
    await world.startService();
  }, 60_000);
  afterAll(() => world?.stop());

  it("loses and doubles nothing", { timeout: 180_000 }, async () => {
    const restartAfter = new Set([7, 12]); // after the first step of revision 2's pause; after the abort
    while (run.played < run.steps.length) {
      if (!restartAfter.has(run.played)) {
        await playNextStep(world, run);
        continue;
      }
      const i = writeNextStep(world, run);
      await world.redis.kill();
      await sleep(DOWN_MS);
      await world.redis.restart();
      await waitStepHandled(world, run, i, 60_000);
    }
    await waitSettled(world, 120_000);
    await assertStoryDelivered(world, run);
  });
});
