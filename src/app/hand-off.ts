// The watcher's hand-off: transitions → planned notification jobs → the durable queue, then the transition log.
// Idempotent per transition id (job ids are deterministic and the queue remembers them), so the watcher may call
// it again for the same transitions after a crash.
import type { NotifierConfig } from "../config/types.ts";
import { fixedShapeLogger, hasFixedShape, type Logger } from "../logger.ts";
import {
  type PipelineProblem,
  type PipelineWorld,
  planNotifications,
} from "../pipeline/plan-notifications.ts";
import type { NotificationJob } from "../queue/notification-job.ts";
import type { EnqueueResult, NotificationQueue } from "../queue/notification-queue.ts";
import type { Metrics } from "../server/metrics.ts";
import type { HoldBack, Silencer } from "../silences/silencer.ts";
import type { SubscriptionProblem } from "../subscriptions/annotation-subscriptions.ts";
import { asNamespaceWork, type NamespaceRenderShare } from "../templates/render-share.ts";
import type { Transition } from "../triggers/transition.ts";
import type { HashFieldWrite, TransitionLog } from "../watch/transition-log.ts";

export interface HandOffOptions {
  queue: Pick<NotificationQueue, "enqueue">;
  log: Pick<TransitionLog, "record" | "recordCall" | "freshOf">;
  configFor: (namespace: string) => NotifierConfig;
  annotationPrefix: string;
  /** Cap on destinations per transition (MAX_DESTINATIONS_PER_TRANSITION). */
  maxDestinations?: number;
  logger: Logger;
  metrics: Metrics;
  reportProblems: (uid: string, problems: SubscriptionProblem[]) => void;
  now?: () => Date;
  /** Silences and mute-until annotations: held notifications are recorded, never enqueued. */
  silencer?: Silencer;
  /**
   * Each namespace's share of rendering time (render-share.ts): a transition's planning is charged to its
   * namespace when `appliesTo` it (a namespace with its own templates).
   */
  renderShare?: NamespaceRenderShare;
  /** Told what became of every planned notification (the console's delivery history). */
  onHandedOff?: (
    transitions: Transition[],
    outcomes: { job: NotificationJob; outcome: "queued" | "suppressed" | "silenced"; detail?: string }[],
  ) => Promise<void> | void;
}

/**
 * Every field name of a "transition" line, at every depth: a Transition's without its snapshot and eventObject
 * (ObjectRef's inside). Such lines go through a fixed-shape logger (logger.ts: pino's path redaction, which
 * copies and walks each line for every path, cannot match them; known secret values are still scrubbed); a line
 * with any other field goes through the redacting logger.
 */
const TRANSITION_LINE_KEYS = new Set([
  "transition",
  "id",
  "trigger",
  "object",
  "rollout",
  "revision",
  "path",
  "detail",
  "condition",
  "kind",
  "namespace",
  "name",
  "uid",
]);

export function createHandOff(o: HandOffOptions) {
  const transitionLogger = fixedShapeLogger(o.logger, [...TRANSITION_LINE_KEYS]);
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
      const namespace = transition.object.namespace;
      const planned = asNamespaceWork(o.renderShare, namespace, (renderShareMs) =>
        planNotifications({
          transition,
          world,
          config: o.configFor(namespace),
          annotationPrefix: o.annotationPrefix,
          maxDestinations: o.maxDestinations,
          now,
          detectedAt: now.getTime(),
          ...(renderShareMs !== undefined ? { renderShareMs } : {}),
        }),
      );
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
    const held: { job: NotificationJob; holdBack: HoldBack }[] = [];
    const toSend: NotificationJob[] = [];
    for (const job of jobs) {
      const holdBack = o.silencer?.check(job, world);
      if (holdBack) held.push({ job, holdBack });
      else toSend.push(job);
    }
    // With nothing held back, the transition log's record (and the state write) rides in the enqueue's round trip,
    // after its writes (the queue runs it only where Redis orders them so: one server, Sentinel). Held
    // notifications are stored (silencer.hold) before the record, so then it is a round trip of its own.
    const recordCall =
      toSend.length > 0 && held.length === 0 ? o.log.recordCall(transitions, stateWrite) : undefined;
    const result: EnqueueResult =
      toSend.length > 0 ? await o.queue.enqueue(toSend, recordCall) : { enqueued: [], duplicates: [] };
    const enqueued = new Set(result.enqueued);
    if (held.length > 0) {
      await o.silencer?.hold(held);
      for (const { job, holdBack } of held) {
        o.metrics.silenced.inc({ service: job.destination.service });
        o.logger.info(
          {
            object: job.transition.object,
            trigger: job.transition.trigger,
            service: job.destination.service,
            recipient: job.destination.recipient,
            jobId: job.jobId,
            silence: holdBack.silenceId,
          },
          `notification silenced: ${holdBack.detail}`,
        );
      }
    }
    if (o.onHandedOff) {
      // not awaited: the history is best effort and never holds up the hand-off
      const outcomes = [
        ...toSend.map((job) =>
          enqueued.has(job.jobId)
            ? { job, outcome: "queued" as const }
            : {
                job,
                outcome: "suppressed" as const,
                detail: "enqueued before (a repeat of this transition)",
              },
        ),
        ...held.map(({ job, holdBack }) => ({ job, outcome: "silenced" as const, detail: holdBack.detail })),
      ];
      void Promise.resolve()
        .then(() => o.onHandedOff?.(transitions, outcomes))
        .catch(() => {});
    }
    const traced = o.logger.isLevelEnabled("debug");
    for (const job of toSend) {
      if (!enqueued.has(job.jobId)) continue;
      o.metrics.enqueued.inc({ service: job.destination.service });
      if (!traced) continue;
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
    const recorded = result.followUp
      ? o.log.freshOf(transitions, result.followUp.reply)
      : await o.log.record(transitions, stateWrite);
    for (const t of recorded) {
      const { snapshot: _s, eventObject: _e, ...rest } = t;
      const line = { transition: rest };
      (hasFixedShape(line, TRANSITION_LINE_KEYS) ? transitionLogger : o.logger).info(line, "transition");
    }
    return { stateWritten: stateWrite !== undefined };
  };
}
