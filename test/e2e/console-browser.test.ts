// The operator console in a real browser (Debian's Chromium, headless, through playwright-core), against the e2e
// world: `rollouts-notifier run` as a child process, the Kubernetes API test server answering TokenReview and
// SubjectAccessReview, fake Slack behind a fault gate.
//   Slack fails → the dead letters show in the UI → an unauthenticated retry gets 401, a user without rights 403
//   → Slack recovers → retry clicked by a user who may patch Rollouts in the namespace → delivered, shown in the
//   Rollout's timeline; a silence created in the UI holds the next notifications (recorded, never sent) and the
//   summary arrives in Slack when it expires. A second Rollout's dead letter is purged from its row instead (403
//   for a user without rights, then by a deployer): gone, purged in its timeline, never sent. A third Rollout's
//   notifications wait behind a slow Slack when a silence is created: the ones not yet sent are held (checked
//   again right before sending), never reach Slack, and its summary lists them. Screenshots of every
//   page go to docs/console/*.png.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotificationRecord } from "../../src/history/delivery-history.ts";
import { launchChromium } from "../support/browser.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { APP_NAMESPACE, type E2eWorld, startE2eWorld } from "./harness.ts";
import { eventually, playNextStep, prepareStory, type StoryRun, waitSettled } from "./story.ts";

const SHOTS = "docs/console";
const ALICE = "alice-token-0123456789";
const BOB = "bob-token-0123456789";

describe("operator console in Chromium", () => {
  let world: E2eWorld;
  let run: StoryRun;
  /** A second Rollout of the same story, whose dead letter is purged rather than retried. */
  let purgeRun: StoryRun;
  /** A third, whose notifications are queued behind a slow Slack when a silence is created. */
  let slowRun: StoryRun;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    world = await startE2eWorld();
    world.api.reviews.addUser({ token: ALICE, username: "alice@example.com", groups: ["deployers"] });
    world.api.reviews.addUser({ token: BOB, username: "bob@example.com" });
    world.api.reviews.grant({
      group: "deployers",
      verbs: ["get", "list", "watch", "patch", "update"],
      apiGroups: ["argoproj.io"],
      resources: ["rollouts"],
      namespaces: [APP_NAMESPACE],
      name: "rollout-deployers",
    });
    run = prepareStory(world, "console");
    purgeRun = prepareStory(world, "console-purge");
    slowRun = prepareStory(world, "console-slow");
    // two attempts, then a dead letter: the outage turns into dead letters within a second or two
    await world.startService({ env: { RETRY_MAX_ATTEMPTS: "2", RETRY_BASE_DELAY_MS: "100" } });
    base = `http://127.0.0.1:${await world.services[0]!.httpPort()}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    mkdirSync(SHOTS, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  const slackTexts = () => world.slack.allMessages(run.channel).map((m) => FakeSlack.current(m).text);
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const api = async (path: string) =>
    (await fetch(`${base}${path}`)).json() as Promise<Record<string, unknown>>;
  const timeline = async () =>
    (await api(`/api/v1/rollouts/${APP_NAMESPACE}/${run.rollout}/timeline`)).transitions as {
      trigger: string;
      notifications: NotificationRecord[];
    }[];
  const slackNotifications = async () =>
    (await timeline()).flatMap((t) => t.notifications).filter((n) => n.service === "slack");
  /** Waits until the page's status line starts with `prefix` (the script writes "401 …", "retried by …"). */
  const waitStatus = (prefix: string) =>
    page
      .locator("#status", { hasText: new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) })
      .waitFor({ timeout: 10_000 });
  const setToken = async (token: string) => {
    await page.fill("#token", token);
    await page.dispatchEvent("#token", "change");
  };

  it("shows Slack's dead letters; retry needs a token (401) and the right to patch the Rollout (403)", {
    timeout: 120_000,
  }, async () => {
    world.slackGate.failFor(10 * 60_000, 500);
    while (run.played < 6) await playNextStep(world, run);
    while (purgeRun.played < 6) await playNextStep(world, purgeRun);
    await waitSettled(world, 60_000);
    const all = (await world.queue.listDeadLetters()).filter((l) => l.job.destination.service === "slack");
    const ofRollout = (r: StoryRun) => all.filter((l) => l.job.transition.rollout?.name === r.rollout);
    const letters = ofRollout(run);
    expect(letters.length).toBeGreaterThan(0);
    expect(slackTexts()).toEqual([]);

    await page.goto(`${base}/ui/deadletters?rollout=${run.rollout}`);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(letters.length);
    for (const l of letters) await expect(page.locator(`tr[data-id="${l.id}"]`).count()).resolves.toBe(1);
    await expect(page.locator("tbody").textContent()).resolves.toContain("http_500");
    await shot("deadletters");

    // no token: 401
    await page.locator('button[data-action="retry"]').first().click();
    await waitStatus("401");
    // a user without rights on Rollouts in the namespace: 403
    await setToken(BOB);
    await page.locator('button[data-action="retry"]').first().click();
    await waitStatus("403");
    await expect(page.locator("#status").textContent()).resolves.toContain(
      "bob@example.com may not patch rollouts",
    );
    // the API says the same to scripts
    const anon = await fetch(`${base}/api/v1/deadletters/${encodeURIComponent(letters[0]!.id)}/retry`, {
      method: "POST",
    });
    expect(anon.status).toBe(401);
    const bob = await fetch(`${base}/api/v1/deadletters/${encodeURIComponent(letters[0]!.id)}/retry`, {
      method: "POST",
      headers: { authorization: `Bearer ${BOB}` },
    });
    expect(bob.status).toBe(403);
    expect((await world.queue.listDeadLetters()).length).toBeGreaterThanOrEqual(letters.length);
    expect(
      world.services[0]!.logs.some(
        (l) => String(l.msg).includes("retry refused") && l.user === "bob@example.com",
      ),
    ).toBe(true);
  });

  it("purges the other Rollout's dead letter from its row: 403 without rights, then gone, purged in its timeline", {
    timeout: 60_000,
  }, async () => {
    const victims = (await world.queue.listDeadLetters()).filter(
      (l) => l.job.transition.rollout?.name === purgeRun.rollout,
    );
    expect(victims.length).toBeGreaterThan(0);
    const victim = victims[0]!;
    const button = `button[data-action="purge-one"][data-id="${victim.id}"]`;
    await page.goto(`${base}/ui/deadletters`);
    expect(await page.locator("tbody tr").count()).toBeGreaterThan(victims.length);
    await setToken(BOB);
    page.once("dialog", (d) => void d.accept());
    await page.locator(button).click();
    await waitStatus("403");
    await setToken(ALICE);
    page.once("dialog", (d) => void d.accept());
    await page.locator(button).click();
    await waitStatus("purged by alice@example.com");
    await eventually(
      async () => {
        await page.goto(`${base}/ui/deadletters`);
        return (await page.locator(button).count()) === 0;
      },
      10_000,
      () => "the purged row gone from the page",
      200,
    );
    expect((await world.queue.listDeadLetters()).map((l) => l.id)).not.toContain(victim.id);
    const timeline = (await api(`/api/v1/rollouts/${APP_NAMESPACE}/${purgeRun.rollout}/timeline`))
      .transitions as { notifications: NotificationRecord[] }[];
    const record = timeline.flatMap((t) => t.notifications).find((n) => n.jobId === victim.id);
    expect(record).toMatchObject({ outcome: "purged", detail: "purged by alice@example.com" });
    expect(
      world.services[0]!.logs.some(
        (l) =>
          String(l.msg) === "console: dead letter purged by alice@example.com" &&
          l.user === "alice@example.com",
      ),
    ).toBe(true);
  });

  it("after Slack recovers, retry clicked by a deployer delivers them, in the timeline", {
    timeout: 120_000,
  }, async () => {
    world.slackGate.heal();
    await setToken(ALICE);
    for (;;) {
      await page.goto(`${base}/ui/deadletters`);
      const button = page.locator('button[data-action="retry"]').first();
      if ((await button.count()) === 0) break;
      await button.click();
      await waitStatus("retried by");
    }
    await waitSettled(world, 60_000);
    expect(await world.queue.listDeadLetters()).toEqual([]);
    expect(world.slack.allMessages(purgeRun.channel)).toEqual([]);
    const delivered = await slackNotifications();
    expect(delivered.length).toBeGreaterThan(0);
    for (const n of delivered) {
      expect(n.outcome, n.jobId).toBe("delivered");
      expect(n.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "delivered"]);
      expect(n.attempts[0]!.statusCode).toBe(500);
    }
    expect(slackTexts().length).toBeGreaterThan(0);
    expect(world.services[0]!.logs.some((l) => String(l.msg).includes("retried by alice@example.com"))).toBe(
      true,
    );

    await page.goto(`${base}/ui/rollouts/${APP_NAMESPACE}/${run.rollout}`);
    const text = await page.locator("main").textContent();
    expect(text).toContain("on-rollout-updated");
    expect(text).toContain("delivered");

    // Kubernetes Events on the Rollout, naming trigger, service and recipient
    const events = world.api.objects.list("Event", APP_NAMESPACE);
    const failed = events.filter((e) => (e as { reason?: string }).reason === "NotificationFailed");
    const ok = events.filter((e) => (e as { reason?: string }).reason === "NotificationDelivered");
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    // each on the Rollout its notification is about (the purge test's Rollout failed too, and was never delivered)
    for (const e of [...failed, ...ok]) {
      const message = (e as { message?: string }).message ?? "";
      const about = message.includes(`slack:${purgeRun.channel} `) ? purgeRun : run;
      expect(
        (e as { involvedObject?: { kind: string; name: string } }).involvedObject,
        message,
      ).toMatchObject({
        kind: "Rollout",
        name: about.rollout,
      });
    }
    expect(ok.map((e) => (e as { message?: string }).message ?? "").join("\n")).not.toContain(
      purgeRun.channel,
    );
    const messages = failed.map((e) => (e as { message?: string }).message ?? "");
    expect(messages).toContain(
      `Notification on-rollout-updated to slack:${run.channel} failed, retrying: http_500`,
    );
    expect(messages).toContain(
      `Notification on-rollout-updated to slack:${run.channel} failed for good (dead letter): http_500`,
    );
    expect(ok.map((e) => (e as { message?: string }).message)).toContain(
      `Notification on-rollout-updated to slack:${run.channel} delivered`,
    );
  });

  it("a silence created in the UI holds the next Slack notifications; the summary arrives on expiry", {
    timeout: 120_000,
  }, async () => {
    await page.goto(`${base}/ui/silences`);
    await page.fill('input[name="namespace"]', APP_NAMESPACE);
    await page.fill('input[name="rollout"]', run.rollout);
    await page.fill('input[name="service"]', "slack");
    await page.fill('input[name="duration"]', "20s");
    await page.fill('input[name="comment"]', "maintenance of the payments canary");
    await page.click('form.silence button[type="submit"]');
    await waitStatus("silence ");
    await page.goto(`${base}/ui/silences`);
    await expect(page.locator("tbody").textContent()).resolves.toContain("alice@example.com");
    await shot("silences");

    const before = slackTexts().length;
    const slackBefore = (await slackNotifications()).length;
    while (run.played < 10) await playNextStep(world, run);
    await waitSettled(world, 30_000);
    const held = (await slackNotifications()).filter((n) => n.outcome === "silenced");
    expect(held.length).toBeGreaterThan(0);
    expect((await slackNotifications()).length - slackBefore).toBe(held.length);
    for (const n of held) expect(n.detail).toContain("maintenance of the payments canary");
    expect(slackTexts().length).toBe(before);

    await eventually(
      () => slackTexts().some((t) => t.includes("ended:")),
      40_000,
      () => `the silence summary in Slack (got ${JSON.stringify(slackTexts().slice(before))})`,
      200,
    );
    const summary = slackTexts().slice(before);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain(`${held.length} notification(s) were held back`);
    for (const n of held) expect(summary[0]).toContain(n.trigger);

    // the timeline shows both: delivered after the retry, then held by the silence
    await page.goto(`${base}/ui/rollouts/${APP_NAMESPACE}/${run.rollout}`);
    const text = await page.locator("main").textContent();
    expect(text).toContain("silenced");
    expect(text).toContain("delivered");
    await shot("timeline");
  });

  it("overview and Rollouts pages", async () => {
    await page.goto(`${base}/ui`);
    const text = await page.locator("main").textContent();
    expect(text).toContain("Deliveries per service, last hour");
    const slackRow = await page.locator("tbody tr", { hasText: "slack" }).locator("td").allTextContents();
    expect(slackRow[0]).toBe("slack");
    expect(Number(slackRow[1])).toBeGreaterThan(0); // delivered
    expect(Number(slackRow[2])).toBeGreaterThan(0); // failed attempts during the outage
    await shot("overview");
    await page.goto(`${base}/ui/rollouts`);
    await expect(page.locator("main").textContent()).resolves.toContain(`${APP_NAMESPACE}/${run.rollout}`);
    await shot("rollouts");
  });

  it("a silence created while notifications wait behind a slow Slack holds those not yet sent", {
    timeout: 120_000,
  }, async () => {
    // the next message takes 8 s to be answered (under the client's 10 s timeout): the rest of its key waits
    world.slack.fail("chat.postMessage", { delayMs: 8_000 }, 1);
    while (slowRun.played < 10) await playNextStep(world, slowRun);
    const notifications = async () =>
      (
        (await api(`/api/v1/rollouts/${APP_NAMESPACE}/${slowRun.rollout}/timeline`)).transitions as {
          notifications: NotificationRecord[];
        }[]
      )
        .flatMap((t) => t.notifications)
        .filter((n) => n.service === "slack");
    const planned = await notifications();
    expect(planned.length).toBeGreaterThan(1);
    // every one planned and queued before the silence exists: none silenced at planning
    expect(planned.map((n) => n.outcome)).not.toContain("silenced");
    expect(world.slack.allMessages(slowRun.channel)).toEqual([]);

    const res = await fetch(`${base}/api/v1/silences`, {
      method: "POST",
      headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" },
      body: JSON.stringify({
        matchers: { namespace: APP_NAMESPACE, rollout: slowRun.rollout, service: "slack" },
        duration: "12s",
        comment: "slow Slack, hold the rest",
        summary: true,
      }),
    });
    expect(res.status).toBe(200);
    await waitSettled(world, 60_000);

    const after = await notifications();
    const held = after.filter((n) => n.outcome === "silenced");
    const sent = after.filter((n) => n.outcome === "delivered");
    expect(held.length).toBeGreaterThan(0);
    expect(held.length + sent.length).toBe(after.length);
    for (const n of held) {
      expect(n.detail).toContain("slow Slack, hold the rest");
      expect(n.attempts).toEqual([]);
    }
    const texts = () => world.slack.allMessages(slowRun.channel).map((m) => FakeSlack.current(m).text);
    // only what was already on its way reached Slack (next to the Rollout's thread root)
    for (const n of sent) expect(texts()).toContain(n.message);
    for (const n of held) expect(texts()).not.toContain(n.message);

    await eventually(
      () => texts().some((t) => t.includes("ended:")),
      40_000,
      () => `the silence summary in Slack (got ${JSON.stringify(texts())})`,
      200,
    );
    const summary = texts().filter((t) => t.includes("ended:"));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain(`${held.length} notification(s) were held back`);
    for (const n of held) expect(summary[0]).toContain(n.trigger);
  });
});
