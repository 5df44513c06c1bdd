// On a silence's expiry (when it asked for one): one message per destination listing what it held back, sent
// through the queue like any notification (retried, dead-lettered, in the history). Sent once across processes
// (deterministic job ids, then a mark in Redis). PagerDuty destinations get none: a summary must not open an incident.
import type { Logger } from "../logger.ts";
import { buildNotificationJob, type NotificationJob } from "../queue/notification-job.ts";
import type { NotificationQueue } from "../queue/notification-queue.ts";
import type { Transition } from "../triggers/transition.ts";
import { describeMatchers, type Silence } from "./silence.ts";
import type { HeldNotification, SilenceStore } from "./silence-store.ts";

export const SUMMARY_TRIGGER = "silence-summary";
const LISTED = 20;

export function summaryMessage(s: Silence, held: HeldNotification[], over: number): string {
  const total = held.length + over;
  const lines = [
    `Silence ${s.id} ended: ${total} notification(s) were held back (${describeMatchers(s.matchers)}; by ${s.createdBy}: ${s.comment}).`,
  ];
  for (const h of held.slice(0, LISTED)) {
    const owner = h.rollout ?? h.object;
    lines.push(
      `• ${new Date(h.at).toISOString()} ${owner.namespace}/${owner.name} ${h.trigger}: ${h.headline}`,
    );
  }
  if (total > LISTED) lines.push(`… and ${total - LISTED} more (see the console's Rollout timelines).`);
  return lines.join("\n");
}

/** One summary job per destination of the held notifications. */
export function summaryJobs(
  s: Silence,
  held: HeldNotification[],
  over: number,
  now: number,
): { jobs: NotificationJob[]; skipped: string[] } {
  const groups = new Map<string, HeldNotification[]>();
  for (const h of held) {
    const key = JSON.stringify([h.service, h.recipient, h.tenantNamespace ?? ""]);
    const list = groups.get(key) ?? [];
    list.push(h);
    groups.set(key, list);
  }
  const jobs: NotificationJob[] = [];
  const skipped: string[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    if (first.service === "pagerduty" || first.service === "pagerdutyv2") {
      skipped.push(`${first.service}:${first.recipient}`);
      continue;
    }
    const message = summaryMessage(s, list, groups.size === 1 ? over : 0);
    const transition: Transition = {
      id: `silence-summary.${s.id}`,
      trigger: SUMMARY_TRIGGER,
      object: {
        kind: "Silence",
        namespace: s.matchers.namespace ?? "",
        name: s.id,
        uid: `silence-${s.id}`,
      },
      snapshot: { apiVersion: "v1", kind: "Silence", metadata: { name: s.id } },
    };
    const input: Parameters<typeof buildNotificationJob>[0] = {
      transition,
      destination: { service: first.service, recipient: first.recipient },
      notification: { message, slack: { text: message } },
      detectedAt: now,
    };
    if (first.tenantNamespace !== undefined) input.tenantNamespace = first.tenantNamespace;
    jobs.push(buildNotificationJob(input));
  }
  return { jobs, skipped };
}

/** Sends the summaries of silences that ended; forgets old ones. Call it every few seconds. */
export async function sweepExpiredSilences(o: {
  store: SilenceStore;
  queue: Pick<NotificationQueue, "enqueue">;
  logger: Logger;
  onQueued?: (job: NotificationJob, detail: string) => void;
  now?: number;
}): Promise<number> {
  const now = o.now ?? Date.now();
  let sent = 0;
  for (const s of await o.store.list()) {
    if (!s.summary || s.endsAt > now) continue;
    if (await o.store.isSummarized(s.id)) continue;
    const { held, over } = await o.store.held(s.id);
    if (held.length === 0) {
      await o.store.markSummarized(s.id);
      o.logger.info({ silence: s.id }, "silence ended; it held nothing back: no summary");
      continue;
    }
    // Enqueue first, then mark: job ids are deterministic, so a second process (or a retry after a crash
    // between the two) enqueues nothing new.
    const { jobs, skipped } = summaryJobs(s, held, over, now);
    const result = jobs.length > 0 ? await o.queue.enqueue(jobs) : { enqueued: [] as string[] };
    await o.store.markSummarized(s.id);
    const fresh = new Set(result.enqueued);
    for (const job of jobs) if (fresh.has(job.jobId)) o.onQueued?.(job, `summary of silence ${s.id}`);
    sent += jobs.length;
    o.logger.info(
      { silence: s.id, held: held.length + over, summaries: jobs.length, skipped },
      "silence ended: summaries enqueued",
    );
  }
  await o.store.prune();
  return sent;
}
