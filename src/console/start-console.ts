// Wiring of the operator console into a long-running process: the delivery history (hooks + hand-off), the
// silences (matched at hand-off and again right before each delivery, from a copy kept current by their change
// feed; summaries on expiry), Kubernetes Events on the Rollout, and the /api/v1 and
// /ui routes with their authorizer.
import type { KubeConfig } from "@kubernetes/client-node";
import type { HandOffOptions } from "../app/hand-off.ts";
import type { RunSettings } from "../cli/settings.ts";
import { RolloutEventRecorder, rolloutEventHooks } from "../events/rollout-events.ts";
import { DeliveryHistory } from "../history/delivery-history.ts";
import { historyDeliveryHooks } from "../history/history-hooks.ts";
import type { Logger } from "../logger.ts";
import type { DeliveryHooks } from "../queue/notification-queue.ts";
import type { RedisNotificationQueue } from "../queue/redis-notification-queue.ts";
import { watchConnection } from "../redis/connection-watchdog.ts";
import { createRedisClient } from "../redis/redis-connection.ts";
import { consoleApiRoute } from "../server/api/console-api.ts";
import type { HttpRoute } from "../server/http-route.ts";
import { consolePagesRoute } from "../server/ui/console-pages.ts";
import { type DeliveryHold, silencesAtDelivery } from "../silences/delivery-hold.ts";
import { followSilences } from "../silences/silence-feed.ts";
import { SilenceStore } from "../silences/silence-store.ts";
import { sweepExpiredSilences } from "../silences/silence-summary.ts";
import { createSilencer, type Silencer } from "../silences/silencer.ts";
import { createAuthorizer } from "./authorizer.ts";
import { ConsoleService } from "./console-service.ts";

export interface RunningConsole {
  history: DeliveryHistory | undefined;
  silencer: Silencer;
  /** Silences checked again right before a job is sent (the delivery worker's holdAtDelivery). */
  holdAtDelivery: DeliveryHold;
  onHandedOff: HandOffOptions["onHandedOff"];
  deliveryHooks(next: DeliveryHooks): DeliveryHooks;
  routes: HttpRoute[];
  stop(): Promise<void>;
}

const SILENCE_REFRESH_MS = 2_000;
const SILENCE_SWEEP_MS = 5_000;
/** The history's writes of 20 ms go to Redis together (src/history/delivery-history.ts, writeWindowMs). */
const HISTORY_WRITE_WINDOW_MS = 20;

export function startConsole(o: {
  settings: RunSettings;
  kc: KubeConfig;
  queue: RedisNotificationQueue;
  logger: Logger;
}): RunningConsole {
  const { settings, logger } = o;
  // Its own connection, with one retry per command: a history write is not worth waiting for (the queue's
  // connection waits through reconnects and fail-overs).
  const redis = createRedisClient(settings.redis, { maxRetriesPerRequest: 1 });
  redis.on("error", (err) => logger.debug({ err: err.message }, "redis connection error (console)"));
  const stopWatchdog = watchConnection(redis, logger, { name: "console" });
  const history = settings.historyEnabled
    ? new DeliveryHistory(
        redis,
        {
          transitionsPerRollout: settings.historyTransitionsPerRollout,
          maxAgeMs: settings.historyMaxAgeHours * 3600_000,
          maxRollouts: settings.historyMaxRollouts,
          // at a few hundred deliveries a second, one round trip for several records instead of one each
          writeWindowMs: HISTORY_WRITE_WINDOW_MS,
        },
        logger,
      )
    : undefined;
  const silences = new SilenceStore(redis);
  const silencer = createSilencer({ store: silences, annotationPrefix: settings.annotationPrefix, logger });
  const recorder = settings.rolloutEvents
    ? new RolloutEventRecorder({ kc: o.kc, logger, instance: settings.identity })
    : undefined;
  const service = new ConsoleService({
    queue: o.queue,
    history,
    silences,
    authorizer: createAuthorizer({ kc: o.kc, staticToken: settings.consoleToken }),
    logger,
  });

  // Silence changes announced by any process: the copy stays current without a Redis read per delivery (a
  // connection of its own: a subscriber can send nothing else). It also reloads every SILENCE_REFRESH_MS.
  const silenceSubscriber = createRedisClient(settings.redis);
  const stopSubscriberWatchdog = watchConnection(silenceSubscriber, logger, { name: "silence changes" });
  const silenceFeed = followSilences({
    store: silences,
    subscriber: silenceSubscriber,
    logger,
    refreshMs: SILENCE_REFRESH_MS,
  });
  void silences
    .refresh()
    .catch((err: unknown) => logger.debug({ err: (err as Error).message }, "could not reload silences"));
  let sweeping = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void sweepExpiredSilences({
      store: silences,
      queue: o.queue,
      logger,
      onQueued: (job, detail) => void history?.recordQueued(job, detail),
    })
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, "silence expiry sweep failed"))
      .finally(() => {
        sweeping = false;
      });
  }, SILENCE_SWEEP_MS);
  sweepTimer.unref();

  return {
    history,
    silencer,
    holdAtDelivery: silencesAtDelivery(silences),
    onHandedOff: history
      ? (transitions, outcomes) => history.recordHandOff(transitions, outcomes)
      : undefined,
    deliveryHooks(next) {
      let hooks = next;
      if (recorder) hooks = rolloutEventHooks(recorder, hooks);
      if (history) hooks = historyDeliveryHooks(history, hooks);
      return hooks;
    },
    routes: [consoleApiRoute(service), consolePagesRoute(service)],
    async stop() {
      stopSubscriberWatchdog();
      silenceFeed.stop();
      clearInterval(sweepTimer);
      await recorder?.flush();
      await history?.flush();
      stopWatchdog();
      redis.disconnect();
    },
  };
}
