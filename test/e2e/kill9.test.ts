// Fault: kill -9 of `rollouts-notifier run` at random moments while Rollouts go through the whole story.
// E2E_KILL_RUNS runs (default 12; raise it for a soak), each a fresh Rollout (own Slack channel) playing canary-analysis-failure with
// the process killed once at a random step, a random few ms after the write (before, during or after its
// hand-off, state save or deliveries in flight), then restarted under the same pod name. E2E_KILL_SEED replays a
// run order. Nothing is written while the process is down (a watcher cannot see states overwritten while nobody
// watches; see test/watch/watcher-kill.test.ts). Afterwards every sink must hold each story exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom, seedFromEnv } from "../support/seeded-random.ts";
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

const RUNS = Number(process.env.E2E_KILL_RUNS ?? 12);
const POD = "rollouts-notifier-0";

describe("kill -9 during rollouts", () => {
  let world: E2eWorld;
  const runs: StoryRun[] = [];

  beforeAll(async () => {
    world = await startE2eWorld();
    // every Rollout exists (as recorded, Healthy at revision 1) before the first start: baselines
    for (let r = 0; r < RUNS; r++) runs.push(prepareStory(world, `k${r}`));
    await world.startService({ podName: POD });
  }, 60_000);
  afterAll(() => world?.stop());

  it(`delivers every story exactly once across ${RUNS} random kills`, {
    timeout: 60_000 + RUNS * 40_000,
  }, async () => {
    const seed = seedFromEnv("E2E_KILL_SEED");
    const random = seededRandom(seed);
    const kills: string[] = [];
    const started = Date.now();
    for (const run of runs) {
      const killAt = 1 + Math.floor(random() * (run.steps.length - 1));
      const killDelayMs = Math.floor(random() * 40);
      while (run.played < run.steps.length) {
        if (run.played !== killAt) {
          await playNextStep(world, run);
          continue;
        }
        const i = writeNextStep(world, run);
        await sleep(killDelayMs);
        const victim = world.services.at(-1)!;
        await victim.kill9();
        kills.push(`${run.suffix}@${i}+${killDelayMs}ms`);
        await world.startService({ podName: POD });
        await waitStepHandled(world, run, i);
      }
    }
    const played = Date.now();
    // killed workers' in-flight jobs come back once their leases run out and a stalled interval later
    await waitSettled(world, 150_000);
    console.log(
      `kill runs played in ${played - started} ms, deliveries settled ${Date.now() - played} ms later`,
    );
    // before the checks: a failing story's kill is in the output
    console.log(`E2E_KILL_SEED=${seed} kills: ${kills.join(" ")}`);
    const repeats = { pagerDuty: 0, webhook: 0 };
    for (const run of runs) {
      const r = await assertStoryDelivered(world, run, { atLeastOnceHttp: true });
      repeats.pagerDuty += r.pagerDutyRepeats;
      repeats.webhook += r.webhookRepeats;
    }
    console.log(`at-least-once repeats: ${JSON.stringify(repeats)}`);
    // one transition log line per transition across every process
    const logged = world.services.flatMap((s) =>
      s.logs.filter((l) => l.msg === "transition").map((l) => (l.transition as { id: string }).id),
    );
    expect(new Set(logged).size, `a transition was logged twice (seed ${seed})`).toBe(logged.length);
  });
});
