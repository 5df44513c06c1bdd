// The watcher's hand-off: transitions → planned notification jobs → the durable queue, then the transition log.
// Idempotent per transition id (job ids are deterministic and the queue remembers them), so the watcher may call
// it again for the same transitions after a crash.
import type { NotifierConfig } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import {
  type PipelineProblem,
  type PipelineWorld,
  planNotifications,
} from "../pipeline/plan-notifications.ts";
import type { NotificationJob } from "../queue/notification-job.ts";
import type { NotificationQueue } from "../queue/notification-queue.ts";
import type { Metrics } from "../server/metrics.ts";
import type { SubscriptionProblem } from "../subscriptions/annotation-subscriptions.ts";
import type { Transition } from "../triggers/transition.ts";
import type { HashFieldWrite, TransitionLog } from "../watch/transition-log.ts";

export interface HandOffOptions {
  queue: Pick<NotificationQueue, "enqueue">;
  log: Pick<TransitionLog, "record">;
  configFor: (namespace: string) => NotifierConfig;
  annotationPrefix: string;
  /** Cap on destinations per transition (MAX_DESTINATIONS_PER_TRANSITION). */
  maxDestinations?: number;
  logger: Logger;
  metrics: Metrics;
  reportProblems: (uid: string, problems: SubscriptionProblem[]) => void;
  now?: () => Date;
}

export function createHandOff(o: HandOffOptions) {
  /**
   * `stateWrite` (the watcher's next saved state of the object) is written with the transition log record, in
   * the same script after the enqueue: one round trip for both.
   */
  return async (
    transitions: Transition[],
    world: PipelineWorld,
    stateWrite?: HashFieldWrite,
  ): Promise<{ stateWritten: boolean }> => {
    const now = o.now?.() ?? new Date();
    const jobs: NotificationJob[] = [];
    const problemsByUid = new Map<string, PipelineProblem[]>();
    let yieldedAt = Date.now();
    for (const transition of transitions) {
      // rendering is bounded per transition (render-budget.ts); between transitions the event loop gets a turn
      // (Lease renewal, /healthz, deliveries) whenever rendering has held it for a while
      if (Date.now() - yieldedAt > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = Date.now();
      }
      const planned = planNotifications({
        transition,
        world,
        config: o.configFor(transition.object.namespace),
        annotationPrefix: o.annotationPrefix,
        maxDestinations: o.maxDestinations,
        now,
        detectedAt: now.getTime(),
      });
      jobs.push(...planned.jobs);
      for (const p of planned.problems) {
        const list = problemsByUid.get(p.uid) ?? [];
        list.push(p);
        problemsByUid.set(p.uid, list);
      }
    }
    for (const [uid, problems] of problemsByUid) {
      o.reportProblems(
        uid,
        problems.map((p) => ({
          source: `${p.object}${p.destination ? ` → ${p.destination.service}:${p.destination.recipient}` : ""} (${p.kind})`,
          message: p.message,
        })),
      );
    }
    const result = jobs.length > 0 ? await o.queue.enqueue(jobs) : { enqueued: [], duplicates: [] };
    const enqueued = new Set(result.enqueued);
    for (const job of jobs) {
      if (!enqueued.has(job.jobId)) continue;
      o.metrics.enqueued.inc({ service: job.destination.service });
      o.logger.debug(
        {
          object: job.transition.object,
          trigger: job.transition.trigger,
          service: job.destination.service,
          recipient: job.destination.recipient,
          jobId: job.jobId,
        },
        "notification enqueued",
      );
    }
    for (const t of await o.log.record(transitions, stateWrite)) {
      const { snapshot: _s, ...rest } = t;
      o.logger.info({ transition: rest }, "transition");
    }
    return { stateWritten: stateWrite !== undefined };
  };
}
