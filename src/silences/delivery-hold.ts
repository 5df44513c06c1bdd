// Silences checked a second time, right before a notification is handed to its sink: one created after the
// notification was planned and queued (while it waited behind its key, retried, or the sink was slow) still
// holds it. Planning (silencer.ts) holds what is silenced when a transition is detected; this catches the rest.
// A held notification is noted on its silence (the expiry summary lists it) and the queue acks it without
// sending; the delivery hooks record it as silenced (history, metrics, log). Label matchers use the labels the
// job carries from planning. Mute-until annotations are checked at planning only (they need the live object).
// A silence's summary is never held (it is what the operator asked for; planning never sees it either).
import type { NotificationJob } from "../queue/notification-job.ts";
import { DeliveryError } from "../sinks/sink.ts";
import { holdDetail, silenceMatches } from "./silence.ts";
import type { SilenceStore } from "./silence-store.ts";
import { SUMMARY_TRIGGER } from "./silence-summary.ts";

/** Why the job is held (undefined: send it). */
export type DeliveryHold = (job: NotificationJob) => Promise<string | undefined>;

export function silencesAtDelivery(store: SilenceStore): DeliveryHold {
  return async (job) => {
    if (job.transition.trigger === SUMMARY_TRIGGER) return undefined;
    // from memory while the change feed vouches for the copy (silence-feed.ts), else read from Redis
    let active = store.activeIfCurrent();
    if (active === undefined) {
      try {
        active = await store.activeNow();
      } catch (err) {
        // not sent against a silence nobody could read: retried like any transient failure
        throw new DeliveryError(`could not read the silences: ${(err as Error).message}`, {
          code: "silences-unreadable",
          transient: true,
          cause: err,
        });
      }
    }
    if (active.length === 0) return undefined;
    const silence = active.find((s) => silenceMatches(s, job, job.transition.labels));
    if (!silence) return undefined;
    await store.hold(silence.id, [job]);
    return holdDetail(silence);
  };
}
