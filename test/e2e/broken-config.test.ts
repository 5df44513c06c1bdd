// Fault: the notification ConfigMap replaced by a broken one mid-rollout, then fixed. While broken, the last good
// config keeps working (what is sent then uses it: the good Slack service, username included) and /readyz reports
// the error detail without failing; the fixed version takes over at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eWorld, SLACK_USERNAME, startE2eWorld } from "./harness.ts";
import { eventually, playNextStep, prepareStory, type StoryRun, waitSettled } from "./story.ts";
import { assertStoryDelivered } from "./story-expectations.ts";

const FIXED_USERNAME = "rollouts-e2e-fixed";

describe("ConfigMap broken then fixed mid-rollout", () => {
  let world: E2eWorld;
  let run: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld();
    run = prepareStory(world, "config");
    await world.startService();
  }, 60_000);
  afterAll(() => world?.stop());

  it("keeps the last good config while broken, reports it on /readyz, and applies the fix", {
    timeout: 180_000,
  }, async () => {
    const svc = world.services[0]!;
    // revision 2 up to its pause, delivered with the good config
    while (run.played < 9) await playNextStep(world, run);
    await waitSettled(world);

    // broken: service.slack is not YAML; a webhook service without its url
    world.writeConfigMap(
      world.configData({
        "service.slack": `token: $slack-token\napiURL: [${world.slackGate.url}/api/`,
        "service.webhook.deploy-log": "signingSecret: $deploy-log-signing-secret",
      }),
    );
    let ready = await svc.readyz();
    await eventually(
      async () => {
        ready = await svc.readyz();
        return /config error/.test(ready.body);
      },
      10_000,
      () => `/readyz to report the config errors: ${ready.body}`,
    );
    expect(ready.status, ready.body).toBe(200);
    expect(ready.body).toMatch(/last good config in use/);
    expect(ready.body).toMatch(/service\.slack/);
    expect(ready.body).toMatch(/service\.webhook\.deploy-log/);
    expect(ready.body).not.toContain(world.slack.token);

    // the analysis fails and the controller aborts while the config is broken
    while (run.played < 13) await playNextStep(world, run);
    await waitSettled(world);

    // fixed, with another Slack username to tell the versions apart
    world.writeConfigMap(
      world.configData({
        "service.slack": `token: $slack-token\napiURL: ${world.slackGate.url}/api/\nusername: ${FIXED_USERNAME}`,
      }),
    );
    await eventually(
      async () => {
        ready = await svc.readyz();
        return !/config error/.test(ready.body);
      },
      10_000,
      () => `/readyz to clear the config errors: ${ready.body}`,
    );
    expect(ready.status, ready.body).toBe(200);

    while (run.played < run.steps.length) await playNextStep(world, run);
    await waitSettled(world);
    await assertStoryDelivered(world, run, {
      slackUsernames: [
        Array.from({ length: 8 }, () => SLACK_USERNAME), // revision 2: before and during the broken period
        Array.from({ length: 9 }, () => FIXED_USERNAME), // revision 3: after the fix
      ],
    });
  });
});
