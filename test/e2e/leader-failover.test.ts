// Fault: two `run` replicas (leader election on a Lease shortened through LEASE_* settings); the leader is killed
// mid-rollout and one controller write lands while nobody leads. The standby takes over the watch and both the
// survivor's worker and the queue's lease recovery finish the deliveries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eWorld, startE2eWorld } from "./harness.ts";
import {
  playNextStep,
  prepareStory,
  type StoryRun,
  waitSettled,
  waitStepHandled,
  writeNextStep,
} from "./story.ts";
import { assertStoryDelivered } from "./story-expectations.ts";

describe("two replicas, leader killed mid-rollout", () => {
  let world: E2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld({
      env: {
        LEASE_DURATION_SECONDS: "2",
        LEASE_RENEW_DEADLINE_SECONDS: "1",
        LEASE_RETRY_PERIOD_SECONDS: "1",
      },
    });
    run = prepareStory(world, "failover");
    await world.startService({ podName: "replica-a" });
    await world.startService({ podName: "replica-b", standby: true });
  }, 60_000);
  afterAll(() => world?.stop());

  it("the standby takes over; nothing lost or doubled", { timeout: 180_000 }, async () => {
    const [a, b] = world.services;
    // up to revision 2's analysis failure, handled by replica a
    while (run.played < 10) await playNextStep(world, run);
    expect(b!.logs.some((l) => l.msg === "became leader")).toBe(false);
    await a!.kill9();
    // the abort is written while nobody leads
    const i = writeNextStep(world, run);
    await b!.waitForLog((l) => l.msg === "informers synced", 20_000);
    await waitStepHandled(world, run, i);
    while (run.played < run.steps.length) await playNextStep(world, run);
    // replica a's in-flight jobs come back once their leases run out and a stalled interval later
    await waitSettled(world, 150_000);
    await assertStoryDelivered(world, run, { atLeastOnceHttp: true });
    expect(b!.logs.filter((l) => l.msg === "transition").length).toBeGreaterThan(0);
  });
});
