// The key prefixes of everything the service keeps in Redis, in one place.
//
// On a Redis Cluster a Lua script or MULTI may only touch keys of one hash slot. Keys written together carry the
// same hash tag there: the watcher's keys (transition log + object states, written by one script) under `{rn}`,
// each queue's records under `rn:queue:{<queue name>}` (always tagged). On one server or a Sentinel primary the
// watcher's prefix stays untagged (`rn`), the name existing installations already hold data under. (Versions before
// 2026-12-01 also kept BullMQ jobs under `bull:` / `{bull}`: no longer written or read.)
import type { RedisClient } from "./redis-connection.ts";

/** The root of every key this service writes. */
export const KEY_ROOT = "rn";

/** Prefix of the watcher's keys (object states, watermark, transition log): "rn", or "{rn}" on a Cluster. */
export function watchKeyPrefix(client: RedisClient): string {
  return client.isCluster ? `{${KEY_ROOT}}` : KEY_ROOT;
}

/** Prefix of a durable queue's own records (one hash tag per queue: its scripts' keys share a slot). */
export function queueKeyPrefix(queueName: string): string {
  return `${KEY_ROOT}:queue:{${queueName}}`;
}

/** A sink type's own state (thread roots, post journal, …; single-key commands only): "rn:<type>:". */
export function sinkKeyPrefix(type: string): string {
  return `${KEY_ROOT}:${type}:`;
}
/** Slack thread roots, post records and channel ids (single-key commands only). */
export const SLACK_KEY_PREFIX = sinkKeyPrefix("slack");
/** The console's delivery history. Its scripts write several of these keys at once, so all carry one hash tag
 * (always: the history is new, no untagged data to keep readable); on a Cluster it lives in one slot. */
export const HISTORY_KEY_PREFIX = `${KEY_ROOT}:{hist}`;
/** The history's keys (src/history/delivery-history.ts and its scripts, src/history/lua). */
export const historyKeys = {
  /** zset "ns/name" → last activity (ms). */
  rollouts: `${HISTORY_KEY_PREFIX}:rollouts`,
  /** A transition's record (JSON). */
  transition: (id: string) => `${HISTORY_KEY_PREFIX}:tx:${id}`,
  /** A Rollout's transition ids, newest first; `rollout` is "ns/name". */
  rolloutTransitions: (rollout: string) => `${HISTORY_KEY_PREFIX}:ro:${rollout}`,
  /** A notification's hash: meta (JSON), outcome, updatedAt, detail. */
  notification: (jobId: string) => `${HISTORY_KEY_PREFIX}:n:${jobId}`,
  /** A notification's attempts (JSON each), oldest first. */
  attempts: (jobId: string) => `${HISTORY_KEY_PREFIX}:n:${jobId}:a`,
  /** The overview's counts of one minute (minutes since the epoch): "service\0delivered|failed" → n. */
  stats: (minute: number) => `${HISTORY_KEY_PREFIX}:stats:${minute}`,
};
/** Silences, what each held back and whether its summary went out: one hash tag (a DEL spans two of them). */
export const silenceKeys = {
  all: `${KEY_ROOT}:{silences}`,
  held: (id: string) => `${KEY_ROOT}:{silences}:held:${id}`,
  summarized: (id: string) => `${KEY_ROOT}:{silences}:summarized:${id}`,
  /** Bumped on every change: a process sees in one GET whether its copy is stale. */
  version: `${KEY_ROOT}:{silences}:version`,
};
/** Pub/sub channel a silence change is announced on (src/silences/silence-feed.ts). */
export const SILENCES_CHANGED_CHANNEL = `${KEY_ROOT}:{silences}:changed`;
/** PagerDuty open incidents (single-key commands only). */
export const PAGERDUTY_KEY_PREFIX = `${KEY_ROOT}:pagerduty:`;

/** Keys of the watcher's records under a watch prefix (see watchKeyPrefix). */
export const watchKeys = {
  objectStates: (prefix: string) => `${prefix}:objstate`,
  watermark: (prefix: string) => `${prefix}:watermark`,
  transitions: (prefix: string) => `${prefix}:transitions`,
  transition: (prefix: string, id: string) => `${prefix}:tx:${id}`,
};
