// Where silences apply: the watcher's hand-off asks, per planned notification, whether an active silence or a
// mute-until annotation holds it back. Held notifications are recorded (history: silenced, with the silence)
// and noted on their silence for the expiry summary; they are never enqueued. Queued ones are checked again right
// before they are sent (delivery-hold.ts).
import type { Logger } from "../logger.ts";
import type { PipelineWorld } from "../pipeline/plan-notifications.ts";
import type { NotificationJob } from "../queue/notification-job.ts";
import { checkMuteAnnotation } from "./mute-annotation.ts";
import { holdDetail, silenceMatches } from "./silence.ts";
import type { SilenceStore } from "./silence-store.ts";

export interface HoldBack {
  /** The silence holding it; undefined for a mute-until annotation. */
  silenceId?: string;
  detail: string;
}

export interface Silencer {
  check(job: NotificationJob, world: PipelineWorld): HoldBack | undefined;
  /** Notes held notifications on their silences (before the transition is marked handled). */
  hold(held: { job: NotificationJob; holdBack: HoldBack }[]): Promise<void>;
}

export function createSilencer(o: {
  store: SilenceStore;
  annotationPrefix: string;
  logger: Logger;
  now?: () => number;
}): Silencer {
  const now = o.now ?? Date.now;
  const reported = new Set<string>();
  return {
    check(job, world) {
      const owner = job.transition.rollout ?? job.transition.object;
      const rollout = world.getRollout(owner.namespace, owner.name);
      const t = now();
      for (const s of o.store.active(t)) {
        if (silenceMatches(s, job, rollout?.metadata.labels))
          return { silenceId: s.id, detail: holdDetail(s) };
      }
      const mute = checkMuteAnnotation([rollout, world.getNamespace(owner.namespace)], o.annotationPrefix, t);
      if (mute.muted) return { detail: `muted by ${mute.by} until ${new Date(mute.until).toISOString()}` };
      if (mute.problem && !reported.has(mute.problem)) {
        if (reported.size > 10_000) reported.clear();
        reported.add(mute.problem);
        o.logger.warn({ problem: mute.problem }, "mute-until annotation ignored");
      }
      return undefined;
    },
    async hold(held) {
      const bySilence = new Map<string, NotificationJob[]>();
      for (const { job, holdBack } of held) {
        if (!holdBack.silenceId) continue;
        const list = bySilence.get(holdBack.silenceId) ?? [];
        list.push(job);
        bySilence.set(holdBack.silenceId, list);
      }
      for (const [id, jobs] of bySilence) await o.store.hold(id, jobs);
    },
  };
}
