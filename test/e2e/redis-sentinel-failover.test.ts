// Fault: Redis behind Sentinel (primary, replica, three sentinels; passwords on data nodes and sentinels), failed
// over twice mid-rollout: a planned `SENTINEL FAILOVER` (writes paused on the old primary, which is demoted by hand
// before they resume: the documented procedure, docs/redis.md) while the service handles a controller write, and a
// kill -9 of the primary while it handles another. The service follows the primary through the sentinels; nothing may be lost or doubled.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SentinelSet, startSentinelSet } from "../support/redis-server.ts";
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

describe("Redis Sentinel: the primary failed over mid-rollout", () => {
  let world: E2eWorld<SentinelSet>;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld({ redis: () => startSentinelSet() });
    run = prepareStory(world, "sentinel");
    await world.startService();
  }, 60_000);
  afterAll(() => world?.stop());

  it("follows the new primary; loses and doubles nothing", { timeout: 180_000 }, async () => {
    const started = await world.services[0]!.waitForLog((l) => l.msg === "rollouts-notifier started");
    expect(started.redis).toMatch(/^Redis primary "rn-primary" via sentinels (127\.0\.0\.1:\d+,?){3}$/);
    const switches: { from: number; to: number }[] = [];
    // every fail-over the sentinels make, planned or not: an unplanned one (a live primary the sentinels lost
    // sight of) is a different scenario (docs/redis.md) and is reported as such, not as its consequences
    const announced: string[] = [];
    const watcher = new Redis(world.redis.sentinelPorts[0]!, "127.0.0.1", {
      password: world.redis.settings.sentinelPassword,
    });
    watcher.on("error", () => {});
    await watcher.subscribe("+switch-master");
    watcher.on("message", (_channel, message: string) => announced.push(`played ${run.played}: ${message}`));
    while (run.played < run.steps.length) {
      if (run.played === 7) {
        // planned, as docs/redis.md says: pause writes on the primary, fail over, make the old primary a replica
        // of the new one, unpause; the paused writes go to the new primary
        const old = await world.redis.primaryClient();
        await old.call("CLIENT", "PAUSE", "60000", "WRITE");
        const i = writeNextStep(world, run);
        const promoted = await world.redis.failover();
        switches.push(promoted);
        await old.call("REPLICAOF", "127.0.0.1", String(promoted.to));
        await old.call("CLIENT", "UNPAUSE");
        await waitStepHandled(world, run, i, 60_000);
        continue;
      }
      if (run.played === 12) {
        // crash: the primary is killed while the service handles the abort
        await world.redis.replicaInSync();
        const i = writeNextStep(world, run);
        switches.push(await world.redis.killPrimary());
        await waitStepHandled(world, run, i, 60_000);
        continue;
      }
      await playNextStep(world, run);
    }
    await waitSettled(world, 120_000);
    watcher.disconnect();
    expect(announced, "the sentinels failed over only when the test made them").toHaveLength(2);
    await assertStoryDelivered(world, run);
    expect(switches).toHaveLength(2);
    expect(switches[1]!.to).toBe(switches[0]!.from);
    // enqueues waited for the replica (WAIT in their round trip): a primary crash cannot lose them
    const stats = await world.redisClient.info("commandstats");
    expect(Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
  });
});
