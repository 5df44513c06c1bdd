// Hostile tenant, live: `rollouts-notifier run` with a runaway template in one namespace's self-service config
// (7 nested {{#each @root}}: a minute and 4 GB per render before render budgets). The service keeps answering
// /healthz within 1 s, keeps its Lease, delivers another namespace's notification within 2 s of its write
// (absolute; and within 2 s of the same kind of notification without the runaway, measured in the same run), and
// dead-letters the tenant's notification with a budget reason (never retried, not rendered again).
//
// The runaway only runs on the tenant's own Rollouts (`eq rollout.metadata.namespace …`): a template that runs
// away on any object is refused at load by the dry-render (test/security/templates-at-load.test.ts), so a
// hostile tenant hides it from the sample objects — and the render budgets stop it when it fires.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import {
  ANNOTATION_PREFIX,
  type E2eWorld,
  loadTenantNamespace,
  SERVICE_NAMESPACE,
  startE2eWorld,
} from "./harness.ts";
import { findSecretLeaks } from "./secret-leaks.ts";
import {
  eventually,
  firstMessageAfterNextStep,
  playNextStep,
  prepareStory,
  prepareStoryIn,
  type StoryRun,
  waitStepHandled,
  writeNextStep,
} from "./story.ts";

const TENANT = "tenant-x";
const RUNAWAY = `{{#if (eq rollout.metadata.namespace '${TENANT}')}}${"{{#each @root}}".repeat(7)}x${"{{/each}}".repeat(7)}{{/if}}`;

function tenantStory(world: E2eWorld): StoryRun {
  const channel = "tenant-deploys";
  world.slack.addChannel({ name: channel });
  return prepareStoryIn(world, {
    suffix: "tx",
    namespace: TENANT,
    channel,
    annotations: { [`${ANNOTATION_PREFIX}/subscribe.slack`]: channel },
  });
}

describe("a runaway template in one namespace", () => {
  let world: E2eWorld;
  let tenant: StoryRun;
  let other: StoryRun;

  beforeAll(async () => {
    world = await startE2eWorld();
    loadTenantNamespace(world, TENANT, {
      "template.runaway": `message: "${RUNAWAY}"\nslack:\n  text: "${RUNAWAY}"`,
      "trigger.on-rollout-updated": "- send: [runaway]",
    });
    tenant = tenantStory(world);
    other = prepareStory(world, "neighbour");
    await world.startService(process.env.E2E_DEBUG ? { env: { LOG_LEVEL: "debug" } } : {});
  }, 60_000);
  let afterPoll: () => Promise<void> = async () => {};
  afterAll(async () => {
    await afterPoll();
    await world?.stop();
  });

  it("keeps /healthz, the Lease and other namespaces going; dead-letters the tenant's notification", {
    timeout: 120_000,
  }, async () => {
    const svc = world.services[0]!;
    const port = await svc.httpPort();
    // up to the step before each story's first on-rollout-updated (step 3)
    while (tenant.played < 3) await playNextStep(world, tenant);
    while (other.played < 3) await playNextStep(world, other);
    let healthChecks = 0;
    let slowestHealthMs = 0;
    let polling = true;
    const healthFailures: string[] = [];
    const poller = (async () => {
      while (polling) {
        const t0 = Date.now();
        try {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) });
          await res.text();
          if (res.status !== 200) healthFailures.push(`HTTP ${res.status}`);
        } catch (err) {
          if (polling) healthFailures.push(String(err));
        }
        slowestHealthMs = Math.max(slowestHealthMs, Date.now() - t0);
        healthChecks++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    afterPoll = async () => {
      polling = false;
      await poller;
    };

    // the tenant's new revision (on-rollout-updated → the runaway template), then at once the neighbour's
    const t = writeNextStep(world, tenant);
    const writtenAt = Date.now();
    const { step: o, ms: neighbourMs } = await firstMessageAfterNextStep(world, other, 10_000);
    if (process.env.E2E_DEBUG) {
      console.log(
        new Date(writtenAt).toISOString(),
        neighbourMs,
        svc.logs
          .slice(-30)
          .map((l) => `${l.time} ${l.msg} ${JSON.stringify(l.transition ?? l.trigger ?? "")}`),
      );
    }
    await waitStepHandled(world, tenant, t);
    await waitStepHandled(world, other, o);

    // the tenant's notification: dead-lettered with the budget reason, nothing posted to its channel
    let letters = await world.queue.listDeadLetters();
    await eventually(
      async () => {
        letters = await world.queue.listDeadLetters();
        return letters.length > 0;
      },
      10_000,
      () => `a dead letter\n${world.dumpLogs(20)}`,
    );
    expect(
      letters.map((l) => [l.job.transition.object.namespace, l.job.transition.trigger, l.reason.code]),
    ).toEqual([[TENANT, "on-rollout-updated", "render_budget"]]);
    expect(letters[0]!.reason.message).toContain("render budget exceeded");
    expect(world.slack.messages(tenant.channel)).toEqual([]);

    // the tenant's story goes on (its other triggers use the built-in templates); the runaway is not re-rendered
    while (tenant.played < 9) await playNextStep(world, tenant);
    while (other.played < 6) await playNextStep(world, other);
    // the same kind of notification for the neighbour with no runaway anywhere: the machine's own latency now
    // (the runaway must add less than 2 s to it, besides the absolute 2 s bound)
    const before = world.slack.allMessages(other.channel).length;
    const baselineAt = Date.now();
    writeNextStep(world, other); // step 6: on-analysis-run-started, a reply in the revision's thread
    await eventually(
      () => world.slack.allMessages(other.channel).length > before,
      10_000,
      () => `the neighbour's baseline notification\n${world.dumpLogs(20)}`,
      10,
    );
    const baselineMs = Date.now() - baselineAt;
    await waitStepHandled(world, other, 6);
    while (other.played < 9) await playNextStep(world, other);
    await afterPoll();
    expect(healthFailures).toEqual([]);

    expect(neighbourMs, "the neighbour's notification within 2 s of its write").toBeLessThan(2_000);
    expect(
      neighbourMs,
      `the neighbour's notification within 2 s beyond the host's baseline latency in this run (${baselineMs} ms)`,
    ).toBeLessThan(2_000 + baselineMs);
    expect(healthChecks).toBeGreaterThan(5);
    expect(slowestHealthMs, "/healthz within 1 s throughout").toBeLessThan(1_000);
    expect(svc.logs.filter((l) => l.msg === "lost leadership" || l.msg === "lease update failed")).toEqual(
      [],
    );
    const lease = world.api.objects.get({
      kind: "Lease",
      namespace: SERVICE_NAMESPACE,
      name: "rollouts-notifier",
    }) as KubeObject & { spec: { holderIdentity: string } };
    expect(lease.spec.holderIdentity).toBe(svc.podName);
    expect((await world.queue.listDeadLetters()).length).toBe(1);
    expect(await findSecretLeaks(world)).toEqual([]);
    // Handlebars' own messages never reach stderr as plain text
    expect(svc.logs.filter((l) => l.raw === true)).toEqual([]);
  });
});
