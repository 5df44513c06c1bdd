// A namespace whose own template is slow on its own Rollouts, live: `rollouts-notifier run` with a 1 s render
// budget (RENDER_TIMEOUT_MS) and a 5 % render share (RENDER_SHARE_PERCENT). The template is cheap on the sample
// Rollout it is dry-rendered against at load, and on the namespace's Rollouts (an annotation the sample does not
// have) hashes a megabyte a few thousand times: each render runs until the time budget stops it. Ten of those
// Rollouts are updated at once. Without the share that is ten seconds of the one thread, and every other
// namespace waits; with it (src/templates/render-share.ts) the namespace gets its burst (twice the budget) and
// then no rendering time until the share refills: another namespace's notification arrives within 5 s, and each
// of the ten is dead-lettered with the reason (the time budget, or the share), none lost silently.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANNOTATION_PREFIX, type E2eWorld, loadTenantNamespace, startE2eWorld } from "./harness.ts";
import {
  eventually,
  firstMessageAfterNextStep,
  playEachUpTo,
  prepareStory,
  prepareStoryIn,
  type StoryRun,
  waitStepHandled,
  writeNextStep,
} from "./story.ts";

const TENANT = "tenant-s";
const TENANT_ROLLOUTS = 10;

describe("a namespace whose own template is slow on its Rollouts", () => {
  let world: E2eWorld;
  let tenants: StoryRun[];
  let other: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld();
    const heavy =
      '{{ with index .rollout.metadata.annotations "heavy" }}{{ $h := . }}{{ range $i := until 2000 }}{{ sha256sum (repeat 150000 $h) | trunc 1 }}{{ end }}{{ end }}';
    loadTenantNamespace(world, TENANT, {
      "service.webhook.audit": "url: http://127.0.0.1:9/audit",
      "template.audit": [
        'message: "updated {{.rollout.metadata.name}}"',
        "webhook:",
        "  audit:",
        "    method: POST",
        `    body: ${JSON.stringify(`{"rollout": "{{.rollout.metadata.name}}", "h": "${heavy}"}`)}`,
      ].join("\n"),
      "trigger.on-rollout-updated": "- send: [audit]",
    });
    tenants = Array.from({ length: TENANT_ROLLOUTS }, (_, i) =>
      prepareStoryIn(world, {
        suffix: `s${i}`,
        namespace: TENANT,
        annotations: {
          [`${ANNOTATION_PREFIX}/subscribe.on-rollout-updated.audit`]: "",
          heavy: "heavy",
        },
      }),
    );
    other = prepareStory(world, "neighbour-s");
    await world.startService({ env: { RENDER_TIMEOUT_MS: "1000", RENDER_SHARE_PERCENT: "5" } });
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  });

  it("renders other namespaces' notifications meanwhile; each of its own is dead-lettered with the reason", {
    timeout: 120_000,
  }, async () => {
    // up to the step before each story's first on-rollout-updated (step 3)
    await playEachUpTo(world, [...tenants, other], 3);

    const written = tenants.map((t) => writeNextStep(world, t));
    const { step: o, ms: neighbourMs } = await firstMessageAfterNextStep(world, other, 60_000);
    await waitStepHandled(world, other, o);
    expect(neighbourMs, "another namespace's notification while the namespace's renders run").toBeLessThan(
      5_000,
    );
    for (const [k, t] of tenants.entries()) await waitStepHandled(world, t, written[k]!, 60_000);

    let letters: Awaited<ReturnType<typeof world.queue.listDeadLetters>> = [];
    await eventually(
      async () => {
        letters = (await world.queue.listDeadLetters()).filter(
          (l) => l.job.transition.object.namespace === TENANT,
        );
        return letters.length === TENANT_ROLLOUTS;
      },
      30_000,
      () => `${TENANT_ROLLOUTS} dead letters of ${TENANT}, got ${letters.length}\n${world.dumpLogs(20)}`,
    );
    expect(letters.map((l) => l.job.transition.object.name).sort()).toEqual(
      tenants.map((t) => t.rollout).sort(),
    );
    expect(letters.every((l) => l.reason.code === "render_budget")).toBe(true);
    const byTime = letters.filter((l) => /rendering took longer than 1000 ms/.test(l.reason.message));
    const byShare = letters.filter((l) =>
      /share of rendering time \(RENDER_SHARE_PERCENT\)/.test(l.reason.message),
    );
    // the burst (twice the budget) pays for about two full renders; the rest get no time
    expect(byTime.length).toBeGreaterThanOrEqual(1);
    expect(byTime.length).toBeLessThanOrEqual(3);
    expect(byShare.length).toBe(TENANT_ROLLOUTS - byTime.length);
    // the neighbour's own namespace has no config of its own: never charged
    expect(world.slack.messages(other.channel).length).toBeGreaterThan(0);
  });
});
