// End to end: `rollouts-notifier run` (real CLI, child process) against the Kubernetes API test server, a private
// Redis and fake Slack/PagerDuty/webhook receivers. A canary whose analysis fails (revision 2, aborted), then a
// fixed revision that completes (revision 3): examples/histories/canary-analysis-failure.yaml, step by step.
// The same story, with the same expectations, on one Redis server and on a three-primary Redis Cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisDeployment, startRedisCluster } from "../support/redis-server.ts";
import { type AnyE2eWorld, PD_ROUTING_KEY, startE2eWorld } from "./harness.ts";
import { findSecretLeaks, leaksIn, worldSecretSpellings } from "./secret-leaks.ts";
import { playStory, prepareStory, type StoryRun, waitSettled } from "./story.ts";
import { assertStoryDelivered, expectedSlackThreads, slackThreads } from "./story-expectations.ts";

const topologies: [string, (() => Promise<RedisDeployment>) | undefined, RegExp][] = [
  ["one Redis server", undefined, /^Redis at 127\.0\.0\.1:\d+$/],
  ["a three-primary Redis Cluster", () => startRedisCluster(), /^Redis Cluster at (127\.0\.0\.1:\d+,?){3}$/],
];

describe.each(topologies)("rollout story end to end on %s", (_name, redis, target) => {
  let world: AnyE2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld(redis ? { redis } : {});
    run = prepareStory(world, "story");
    await world.startService();
    await playStory(world, run);
    await waitSettled(world);
  }, 120_000);
  afterAll(() => world?.stop());

  it("posts one Slack thread per revision: root from threadRoot, the events as replies in order, root updated to the outcome", () => {
    expect(slackThreads(world, run.channel)).toEqual(expectedSlackThreads(run));
  });

  it("delivers every sink's exact sequence: PagerDuty incident triggered by the failure and resolved by the fix, a signed webhook for the completion", async () => {
    const report = await assertStoryDelivered(world, run);
    expect(report).toEqual({ pagerDutyRepeats: 0, webhookRepeats: 0 });
  });

  it("nothing it wrote (logs, dlq list, /metrics, /readyz) holds a Secret value in any encoding", async () => {
    const spellings = worldSecretSpellings(world);
    // the search finds a planted leak in any spelling (base64 of the token as in an echoed header, URL-encoded key)
    const planted = [
      { where: "a", text: `x ${Buffer.from(world.slack.token).toString("base64")} y` },
      { where: "b", text: encodeURIComponent(PD_ROUTING_KEY) },
    ];
    for (const p of planted) expect(leaksIn(spellings, [p]), p.where).not.toEqual([]);
    expect(await findSecretLeaks(world)).toEqual([]);
  });

  it("ends ready, with no config errors, on that Redis", async () => {
    const started = await world.services[0]!.waitForLog((l) => l.msg === "rollouts-notifier started");
    expect(started.redis).toMatch(target);
    const ready = await world.services[0]!.readyz();
    expect(ready.status, ready.body).toBe(200);
    expect(ready.body).not.toMatch(/config error/);
  });
});
