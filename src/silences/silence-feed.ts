// Keeps a process's copy of the silences current without a Redis read per delivery: a subscription to the
// channel every silence change is announced on (silence-store.ts publishes after each write). While the
// subscription is live and the copy was read after it (and after the last announcement), the store answers
// activeNow() from memory; an announcement makes it re-read (at once, and any delivery meanwhile asks Redis).
// When the subscription is lost (reconnect, Sentinel fail-over, a Cluster node gone), the store falls back to
// one GET per delivery until the channel is subscribed again and the copy re-read. A periodic reload bounds what
// a lost announcement (a writer that does not publish, a connection that died unnoticed) could leave stale.
// On a Redis Cluster a PUBLISH reaches subscribers on every node.
import type { Logger } from "../logger.ts";
import { SILENCES_CHANGED_CHANNEL } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { SilenceStore } from "./silence-store.ts";

export interface SilenceFeed {
  /** Unsubscribes and closes the subscriber connection; the store asks Redis per delivery again. */
  stop(): void;
}

/**
 * Follows silence changes for `store` on `subscriber`, a connection of its own (it is in subscriber mode from
 * here on; the feed closes it on stop). `refreshMs` is the fallback reload period.
 */
export function followSilences(o: {
  store: SilenceStore;
  subscriber: RedisClient;
  logger: Logger;
  refreshMs: number;
}): SilenceFeed {
  const { store, subscriber, logger } = o;
  let stopped = false;
  const reload = () => {
    if (stopped) return;
    store.refresh().catch((err: unknown) => {
      // not vouched for until a reload succeeds: deliveries keep asking Redis meanwhile
      store.invalidate();
      logger.debug({ err: (err as Error).message }, "could not reload silences");
    });
  };
  const subscribe = () => {
    if (stopped) return;
    subscriber
      .subscribe(SILENCES_CHANGED_CHANNEL)
      .then(() => {
        if (stopped) return;
        // announcements from here on reach this process: a copy read from now on can be trusted
        store.feedState(true);
        reload();
      })
      .catch((err: unknown) => {
        logger.debug({ err: (err as Error).message }, "could not subscribe to silence changes");
      });
  };
  subscriber.on("message", (channel: string) => {
    if (channel !== SILENCES_CHANGED_CHANNEL) return;
    store.invalidate();
    reload();
  });
  // every (re)connection: the subscription of the old one is gone, and announcements may have been missed
  subscriber.on("ready", subscribe);
  const lost = () => store.feedState(false);
  subscriber.on("close", lost);
  subscriber.on("reconnecting", lost);
  subscriber.on("end", lost);
  subscriber.on("error", (err: Error) => {
    store.feedState(false);
    logger.debug({ err: err.message }, "redis connection error (silence changes)");
  });
  if (subscriber.status === "ready") subscribe();
  const timer = setInterval(reload, o.refreshMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      store.feedState(false);
      subscriber.disconnect();
    },
  };
}
