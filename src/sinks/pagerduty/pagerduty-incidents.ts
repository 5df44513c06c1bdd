// Open PagerDuty alerts per incident group (PagerDutyEvent.incidentGroup, e.g. "<namespace>/<rollout>"): the dedup
// keys the sink triggered with that group, per routing key, so a later `resolve` carrying the group can resolve
// them all (revision 3 completing resolves revision 2's abort). Redis in production (shared by worker replicas,
// survives restarts); process-local without Redis.
//
// Redis keys (prefix default "rn:pagerduty:"; the routing key is a secret, so it is only ever hashed):
//   <prefix>open:<sha256(routingKey, group)>  SET of dedup keys  TTL 90d, refreshed on every trigger
import { createHash } from "node:crypto";
import { PAGERDUTY_KEY_PREFIX } from "../../redis/keys.ts";
import type { RedisClient } from "../../redis/redis-connection.ts";

export interface PagerDutyIncidentStore {
  /** Records `dedupKey` as (possibly) open in the group. Idempotent. */
  addOpen(routingKey: string, group: string, dedupKey: string): Promise<void>;
  /** The group's recorded dedup keys (any order). */
  listOpen(routingKey: string, group: string): Promise<string[]>;
  /** Forgets `dedupKey` (after PagerDuty accepted its resolve). Idempotent. */
  removeOpen(routingKey: string, group: string, dedupKey: string): Promise<void>;
}

/** Process-local: open alerts are remembered as long as the process lives. */
export class InMemoryPagerDutyIncidents implements PagerDutyIncidentStore {
  readonly #open = new Map<string, Set<string>>();

  async addOpen(routingKey: string, group: string, dedupKey: string): Promise<void> {
    const k = groupKey(routingKey, group);
    let keys = this.#open.get(k);
    if (!keys) {
      keys = new Set();
      this.#open.set(k, keys);
    }
    keys.add(dedupKey);
  }

  async listOpen(routingKey: string, group: string): Promise<string[]> {
    return [...(this.#open.get(groupKey(routingKey, group)) ?? [])];
  }

  async removeOpen(routingKey: string, group: string, dedupKey: string): Promise<void> {
    const k = groupKey(routingKey, group);
    const keys = this.#open.get(k);
    keys?.delete(dedupKey);
    if (keys?.size === 0) this.#open.delete(k);
  }
}

export interface RedisPagerDutyIncidentsOptions {
  keyPrefix?: string;
  ttlSec?: number;
}

export class RedisPagerDutyIncidents implements PagerDutyIncidentStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(redis: RedisClient, opts: RedisPagerDutyIncidentsOptions = {}) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix ?? PAGERDUTY_KEY_PREFIX;
    this.#ttl = opts.ttlSec ?? 90 * 24 * 60 * 60;
  }

  #key(routingKey: string, group: string): string {
    return `${this.#prefix}open:${groupKey(routingKey, group)}`;
  }

  async addOpen(routingKey: string, group: string, dedupKey: string): Promise<void> {
    const k = this.#key(routingKey, group);
    const results = await this.#redis.multi().sadd(k, dedupKey).expire(k, this.#ttl).exec();
    const failed = results?.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }

  async listOpen(routingKey: string, group: string): Promise<string[]> {
    return this.#redis.smembers(this.#key(routingKey, group));
  }

  async removeOpen(routingKey: string, group: string, dedupKey: string): Promise<void> {
    await this.#redis.srem(this.#key(routingKey, group), dedupKey);
  }
}

function groupKey(routingKey: string, group: string): string {
  return createHash("sha256").update(`${routingKey}\u0000${group}`).digest("hex");
}
