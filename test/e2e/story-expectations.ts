// What each sink must have received for one played story (test/e2e/story.ts), read from the fakes' records:
// the Slack threads (one per revision: root from `threadRoot`, replies in order, root updated in place), the
// PagerDuty incident (triggered by revision 2's failure, resolved by revision 3's completion through the
// incident group), the signed webhook for the completion, no dead letters, and the transition log.
import { expect } from "vitest";
import { notificationJobId } from "../../src/queue/notification-job.ts";
import { IDEMPOTENCY_HEADER, verifyWebhookSignature } from "../../src/sinks/webhook/webhook-signature.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { FakeSlack, type FakeSlackMessage } from "../support/fake-slack.ts";
import type { FakeWebhookRequest } from "../support/fake-webhook.ts";
import { type AnyE2eWorld, PD_ROUTING_KEY, SLACK_USERNAME, WEBHOOK_SIGNING_SECRET } from "./harness.ts";
import { STORY_TRIGGERS, type StoryRun } from "./story.ts";

export interface SlackThreadRecord {
  /** The root as first posted. */
  root: string;
  /** The root's text after its updates. */
  rootNow: string;
  /** The root's text after each chat.update, in order. */
  rootUpdates: string[];
  replies: string[];
  usernames: string[];
}

/** The channel's threads in post order (every top-level message is a thread root here). */
export function slackThreads(world: AnyE2eWorld, channel: string): SlackThreadRecord[] {
  const all = world.slack.allMessages(channel);
  return world.slack.messages(channel).map((root: FakeSlackMessage) => {
    const replies = all.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts);
    return {
      root: root.text,
      rootNow: FakeSlack.current(root).text,
      rootUpdates: root.updates.map((u) => u.text),
      replies: replies.map((m) => m.text),
      usernames: [root, ...replies].map((m) => m.username ?? ""),
    };
  });
}

/** The expected Slack threads of a story run (built-in templates; status messages as the history has them). */
export function expectedSlackThreads(run: StoryRun): SlackThreadRecord[] {
  const ref = `${run.namespace}/${run.rollout}`;
  const r = `Rollout ${ref}`;
  const run2 = `rollout-background-analysis-db976bc44-2-${run.suffix}`;
  const run3 = `rollout-background-analysis-5c9d8f7b6d-3-${run.suffix}`;
  const failure = 'metric "web" assessed Failed due to failed (1) &gt; failureLimit (0)';
  const r2 = [
    `${r} has been updated to revision 2.`,
    `${r}'s analysis run ${run2} is running.`,
    `${r} step 1/2 has been completed.`,
    `${r} has been paused.`,
    `${r}'s analysis run ${run2} failed. ${failure}`,
    `${r}'s analysis run ${run2} completed (Failed).`,
    `${r} revision 2 has been aborted. RolloutAborted: ${failure}`,
  ];
  const r3 = [
    `${r} has been updated to revision 3.`,
    `${r}'s analysis run ${run3} is running.`,
    `${r} step 1/2 has been completed.`,
    `${r} has been paused.`,
    `${r} has been resumed.`,
    `${r} step 2/2 has been completed.`,
    `${r} revision 3 has been completed.`,
    `${r}'s analysis run ${run3} completed (Successful).`,
  ];
  // The first message of a revision creates the thread (root + first reply); every later one updates the root to
  // the revision's state as of that event (emoji of the event). A background analysis ending after the revision
  // failed or completed keeps that state.
  const thread = (rev: string, replies: string[], updates: string[]): SlackThreadRecord => {
    const roots = updates.map((u) => {
      const [emoji, state] = u.split("|");
      return `${emoji} Rollout ${ref} revision ${rev}: ${state}`;
    });
    return {
      root: `:arrows_counterclockwise: Rollout ${ref} revision ${rev}: Progressing`,
      rootNow: roots.at(-1)!,
      rootUpdates: roots,
      replies,
      usernames: Array.from({ length: replies.length + 1 }, () => SLACK_USERNAME),
    };
  };
  return [
    thread("2", r2, [
      ":mag:|Progressing (step 0/2)",
      ":white_check_mark:|Progressing (step 1/2)",
      ":double_vertical_bar:|Paused (step 1/2)",
      ":x:|Analysis failed (step 1/2)",
      ":bar_chart:|Analysis failed (step 1/2)",
      ":red_circle:|Aborted (step 0/2)",
    ]),
    thread("3", r3, [
      ":mag:|Progressing (step 0/2)",
      ":white_check_mark:|Progressing (step 1/2)",
      ":double_vertical_bar:|Paused (step 1/2)",
      ":arrow_forward:|Progressing (step 1/2)",
      ":white_check_mark:|Progressing (step 2/2)",
      ":large_green_circle:|Completed",
      ":bar_chart:|Completed",
    ]),
  ];
}

/** PagerDuty events of the run's Rollout as "action dedup_key class" lines, in the order PagerDuty accepted them. */
export function pagerDutyEvents(world: AnyE2eWorld, run: StoryRun): string[] {
  const prefix = `${run.namespace}/${run.rollout}/`;
  return world.pagerduty.accepted
    .filter((e) => e.routing_key === PD_ROUTING_KEY && e.dedup_key.startsWith(prefix))
    .map((e) => {
      const cls = (e.payload as { class?: string } | undefined)?.class;
      return `${e.event_action} ${e.dedup_key}${cls ? ` ${cls}` : ""}`;
    });
}

export function expectedPagerDutyEvents(run: StoryRun): string[] {
  const key = `${run.namespace}/${run.rollout}`;
  return [
    `trigger ${key}/2 on-analysis-run-failed`,
    `trigger ${key}/2 on-rollout-aborted`,
    // revision 3's completion resolves its own key, then every alert the Rollout's incident group triggered
    `resolve ${key}/3`,
    `resolve ${key}/2`,
  ];
}

/** Webhook requests about the run's Rollout. */
export function webhookRequests(world: AnyE2eWorld, run: StoryRun): FakeWebhookRequest[] {
  return world.webhook.requests.filter((r) => {
    try {
      const body = JSON.parse(r.body) as { rollout?: { name?: string } };
      return body.rollout?.name === run.rollout;
    } catch {
      return false;
    }
  });
}

/** Collapses repeats of the same item (at-least-once HTTP sinks may see a retried request twice). */
export function withoutRepeats<T>(items: T[], key: (t: T) => string = String): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface StoryAssertOptions {
  /**
   * PagerDuty and webhooks are at least once across a process killed mid-request (PagerDuty dedups by
   * dedup_key, webhook receivers by Idempotency-Key): then repeats of an identical request are tolerated and
   * reported. Slack posts are exactly once always (journal + message metadata); a root update (chat.update, same
   * content) interrupted by the kill is redone, so there repeats in a row are tolerated too.
   */
  atLeastOnceHttp?: boolean;
  /** Expected Slack usernames, thread by thread (default: the good config's everywhere). */
  slackUsernames?: string[][];
}

export interface StoryDeliveryReport {
  pagerDutyRepeats: number;
  webhookRepeats: number;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every Slack message of the channel (ts, thread, text), each story transition's Slack job (state, attempts), its
 * dead letter, the Slack API calls carrying its id (in any channel) and the services' log lines naming it.
 */
async function slackTrail(
  world: AnyE2eWorld,
  run: StoryRun,
  transitions: { transition: { id: string; trigger: string } }[],
): Promise<string> {
  const lines = ["channel messages:"];
  for (const m of world.slack.allMessages(run.channel)) {
    const job = m.metadata?.event_payload?.job_id ?? "";
    lines.push(
      `  ts=${m.ts} thread=${m.thread_ts ?? "-"} updates=${m.updates.length} job=${String(job)} ${m.text}`,
    );
  }
  const dead = await world.queue.listDeadLetters();
  lines.push("story transitions → Slack job:");
  for (const { transition: t } of transitions) {
    const jobId = notificationJobId(t.id, { service: "slack", recipient: run.channel });
    const rec = await world.queue.store.getRecord(jobId);
    const letter = dead.find((d) => d.job.jobId === jobId);
    lines.push(
      `  ${t.trigger} ${jobId}: ${rec ? `${rec.state} attempts=${rec.attempts}` : "no record"}${letter ? ` DEAD ${letter.reason.code}: ${letter.reason.message}` : ""}`,
    );
    if (rec?.state === "queued") {
      // a queued record the settle check missed: where the queue's sets have it
      const store = world.queue.store;
      const r = world.redisClient;
      const [order, inKeys, ready, active] = await Promise.all([
        r.lrange(store.orderKey(rec.orderingKey), 0, -1),
        r.sismember(store.keysKey, rec.orderingKey),
        r.zscore(store.readyKey, jobId),
        r.zscore(store.activeKey, jobId),
      ]);
      lines.push(
        `    order=${JSON.stringify(order)} inKeys=${inKeys} ready=${String(ready)} active=${String(active)}`,
      );
    }
    for (const c of world.slack.calls) {
      const args = JSON.stringify(c.args);
      if (!args.includes(jobId)) continue;
      lines.push(
        `    slack ${c.method} ok=${String(c.ok)} ${c.error ?? ""} channel=${String(c.args.channel)} thread=${String(c.args.thread_ts ?? "-")}`,
      );
    }
    for (const [i, s] of world.services.entries()) {
      for (const l of s.logs) {
        if (!JSON.stringify(l).includes(jobId)) continue;
        const { time, level, msg, code, attempt, attempts, reason, err } = l;
        const rest = JSON.stringify({ code, attempt, attempts, reason, err });
        lines.push(
          `    [service ${i}] ${String(time)} ${String(level)} ${String(msg)} ${rest.slice(0, 300)}`,
        );
      }
    }
  }
  return lines.join("\n");
}

/** Asserts everything the sinks received for the run: nothing lost, nothing doubled, in order. */
export async function assertStoryDelivered(
  world: AnyE2eWorld,
  run: StoryRun,
  opts: StoryAssertOptions = {},
): Promise<StoryDeliveryReport> {
  const where = `story ${run.suffix}`;

  // The transition log: every trigger of the story once, in order.
  const log = await new TransitionLog(world.redisClient).list(100_000);
  const mine = log.filter((r) => (r.transition.rollout ?? r.transition.object).name === run.rollout);
  expect(
    mine.filter((r) => r.transition.trigger !== "on-scaling-replica-set").map((r) => r.transition.trigger),
    `${where}: transition log`,
  ).toEqual(STORY_TRIGGERS);
  const ids = mine.map((r) => r.transition.id);
  expect(new Set(ids).size, `${where}: a transition id recorded twice`).toBe(ids.length);

  // Slack: exactly once, always.
  const expected = expectedSlackThreads(run);
  for (const [i, names] of (opts.slackUsernames ?? []).entries()) {
    if (expected[i]) expected[i].usernames = names;
  }
  const threads = slackThreads(world, run.channel);
  if (opts.atLeastOnceHttp) {
    for (const t of threads) t.rootUpdates = t.rootUpdates.filter((u, i) => u !== t.rootUpdates[i - 1]);
  }
  if (!isDeepEqual(threads, expected)) {
    // where each Slack notification of the story went, so a failure says more than "missing"
    const trail = await slackTrail(world, run, mine);
    expect(threads, `${where}: Slack threads in #${run.channel}\n${trail}`).toEqual(expected);
  }

  // PagerDuty: the incident of revision 2, resolved by revision 3.
  const pdEvents = pagerDutyEvents(world, run);
  const pdDistinct = withoutRepeats(pdEvents);
  expect(
    opts.atLeastOnceHttp ? pdDistinct : pdEvents,
    `${where}: PagerDuty events (action, dedup key, class)`,
  ).toEqual(expectedPagerDutyEvents(run));
  const key = `${run.namespace}/${run.rollout}`;
  const alerts = world.pagerduty.alerts.filter((a) => a.dedupKey.startsWith(`${key}/`));
  expect(
    alerts.map((a) => ({ dedupKey: a.dedupKey, status: a.status, severity: a.severity })),
    `${where}: PagerDuty alerts`,
  ).toEqual([{ dedupKey: `${key}/2`, status: "resolved", severity: "error" }]);

  // Webhook: the completion, signed.
  const requests = webhookRequests(world, run);
  const hooks = opts.atLeastOnceHttp
    ? withoutRepeats(requests, (r) => String(r.headers[IDEMPOTENCY_HEADER.toLowerCase()]))
    : requests;
  expect(
    hooks.map((r) => {
      const body = JSON.parse(r.body) as { trigger: string; rollout: { revision: string } };
      return `${r.method} ${r.path} ${body.trigger} r${body.rollout.revision}`;
    }),
    `${where}: webhook requests`,
  ).toEqual(["POST /deploys on-rollout-completed r3"]);
  for (const r of requests) {
    const sig = r.headers["x-rollouts-notifier-signature"];
    expect(
      // judged when it arrived, as a receiver would: a long fault run asserts minutes after the first story
      verifyWebhookSignature(WEBHOOK_SIGNING_SECRET, typeof sig === "string" ? sig : undefined, r.rawBody, {
        nowSec: Math.floor(r.receivedAtMs / 1000),
      }),
      `${where}: webhook signature`,
    ).toMatchObject({ ok: true });
    expect(r.headers[IDEMPOTENCY_HEADER.toLowerCase()], `${where}: Idempotency-Key`).toEqual(
      expect.stringContaining("on-rollout-completed"),
    );
  }

  // Nothing dead-lettered.
  const dead = (await world.queue.listDeadLetters()).filter((d) =>
    d.job.transition.object.name.includes(run.rollout),
  );
  expect(
    dead.map((d) => `${d.job.transition.trigger} → ${d.job.destination.service}: ${d.reason.code}`),
    `${where}: dead letters`,
  ).toEqual([]);

  return {
    pagerDutyRepeats: pdEvents.length - pdDistinct.length,
    webhookRepeats: requests.length - hooks.length,
  };
}
