// Lua scripts of the durable queue. Each one changes a job record, its ordering list and the dead-letter hash
// together, so a crash leaves either the old or the new state, never half of it.
// Key layout under the prefix P = rn:queue:{<queue name>} (see redis-queue-store.ts):
//   P:job:<jobId>       hash: state (queued|delivered|dead|purged), data (job JSON), bullId, orderingKey,
//                       enqueuedAt, attempts, firstAttemptAt, lastAttemptAt, deliveredAt, ref. The idempotency
//                       record: kept while queued or dead, then expires after the idempotency TTL.
//   P:order:<key>       list of queued job ids of one ordering key, in enqueue order; the head is delivered next.
//   P:keys              set of ordering keys with a non-empty list (for the repair sweep).
//   P:dlq               hash jobId -> dead letter JSON. Never trimmed: only `dlq retry` / `dlq purge` remove entries.
//   P:rate:<dest>       GCRA theoretical arrival time of a destination (ms).

import { createHash } from "node:crypto";
import type { RedisClient } from "../redis/redis-connection.ts";

export class LuaScript {
  readonly source: string;
  readonly sha: string;
  readonly numberOfKeys: number;
  constructor(numberOfKeys: number, source: string) {
    this.numberOfKeys = numberOfKeys;
    this.source = source;
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) throw new Error(`script expects ${this.numberOfKeys} keys`);
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).includes("NOSCRIPT")) throw err;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Runs the script once per call in one round trip (an ioredis pipeline, not a transaction: each call is atomic
   * on its own). Calls the server did not know the script for are run again one by one (NOSCRIPT ran nothing).
   */
  async runMany(
    redis: RedisClient,
    calls: { keys: string[]; args: (string | number)[] }[],
    opts: { waitForReplica?: { timeoutMs: number } } = {},
  ): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const pipe = redis.pipeline();
    for (const c of calls) {
      if (c.keys.length !== this.numberOfKeys) throw new Error(`script expects ${this.numberOfKeys} keys`);
      pipe.evalsha(this.sha, c.keys.length, ...c.keys, ...c.args);
    }
    // In the same round trip: answer once a replica has the writes (or after the timeout: then they are only on
    // the primary, as without a replica).
    if (opts.waitForReplica) pipe.call("WAIT", "1", String(opts.waitForReplica.timeoutMs));
    const res = (await pipe.exec()) ?? [];
    return Promise.all(
      calls.map(async (c, i) => {
        const [err, value] = res[i] ?? [new Error("no reply"), undefined];
        if (!err) return value;
        if (!String(err.message).includes("NOSCRIPT")) throw err;
        return redis.eval(this.source, c.keys.length, ...c.keys, ...c.args);
      }),
    );
  }
}

/** KEYS job, order, keys; ARGV jobId, data, bullId, now, orderingKey → {state, bullId} ("created" when new). */
export const ENQUEUE = new LuaScript(
  3,
  `
local state = redis.call('HGET', KEYS[1], 'state')
if state then return {state, redis.call('HGET', KEYS[1], 'bullId') or ''} end
redis.call('HSET', KEYS[1], 'state', 'queued', 'data', ARGV[2], 'bullId', ARGV[3], 'enqueuedAt', ARGV[4],
  'attempts', 0, 'orderingKey', ARGV[5])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[5])
return {'created', ARGV[3]}
`,
);

const REMOVE_FROM_ORDER = `
local function removeFromOrder(orderKey, keysKey, jobId, orderingKey)
  redis.call('LREM', orderKey, 1, jobId)
  if redis.call('LLEN', orderKey) == 0 then redis.call('SREM', keysKey, orderingKey) end
  return redis.call('LINDEX', orderKey, 0)
end
`;

/** KEYS job, order, keys; ARGV jobId, orderingKey, now, ttlMs, ref → {ok, newHead|false}. */
export const MARK_DELIVERED = new LuaScript(
  3,
  `${REMOVE_FROM_ORDER}
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false} end
redis.call('HSET', KEYS[1], 'state', 'delivered', 'deliveredAt', ARGV[3], 'ref', ARGV[5])
redis.call('HDEL', KEYS[1], 'data', 'lastError')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2])}
`,
);

/** KEYS job, order, keys, dlq; ARGV jobId, orderingKey, now, deadLetterJson → {ok, newHead|false}. */
export const MARK_DEAD = new LuaScript(
  4,
  `${REMOVE_FROM_ORDER}
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false} end
redis.call('HSET', KEYS[1], 'state', 'dead', 'deadAt', ARGV[3])
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
return {1, removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2])}
`,
);

/** KEYS job, order, keys, dlq; ARGV jobId, orderingKey, bullId, now, data → 1, or 0 when not a dead letter. */
export const RETRY_DEAD = new LuaScript(
  4,
  `
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'queued', 'bullId', ARGV[3], 'attempts', 0, 'orderingKey', ARGV[2],
  'data', ARGV[5], 'requeuedAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'firstAttemptAt', 'lastAttemptAt', 'lastError', 'deadAt')
redis.call('PERSIST', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
`,
);

/** KEYS dlq; ARGV jobKeyPrefix, ttlMs → number purged. Job records stay (state purged) for idempotency. */
export const PURGE_DEAD = new LuaScript(
  1,
  `
local ids = redis.call('HKEYS', KEYS[1])
for _, id in ipairs(ids) do
  local jobKey = ARGV[1] .. id
  if redis.call('HGET', jobKey, 'state') == 'dead' then
    redis.call('HSET', jobKey, 'state', 'purged')
    redis.call('HDEL', jobKey, 'data')
    redis.call('PEXPIRE', jobKey, ARGV[2])
  end
end
redis.call('DEL', KEYS[1])
return #ids
`,
);

/** KEYS order, keys; ARGV expectedHead, orderingKey → 1 when the head was dropped. */
export const DROP_HEAD = new LuaScript(
  2,
  `
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 0 end
redis.call('LPOP', KEYS[1])
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1
`,
);

/** GCRA (same arithmetic as gcraTake). KEYS rate; ARGV now, intervalMs, burst → ms to wait (0 = taken). */
export const RATE_TAKE = new LuaScript(
  1,
  `
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local tau = t * (math.floor(tonumber(ARGV[3])) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = math.max(tat, now)
local allowAt = base - tau
if now < allowAt then return allowAt - now end
redis.call('SET', KEYS[1], tostring(base + t), 'PX', math.max(1, base + t - now + 1000))
return 0
`,
);

/**
 * The worker's first look at a job, in one round trip: its record, and whether it is the head of its ordering
 * key. KEYS job, order; ARGV jobId, bullId → {state} when not queued ('unknown' when there is no record),
 * {'superseded'} when another executor owns it, else {'head' | 'behind', data, enqueuedAt, attempts,
 * firstAttemptAt ('' when none), orderingKey}.
 */
export const CLAIM = new LuaScript(
  2,
  `
local h = redis.call('HMGET', KEYS[1], 'state', 'bullId', 'data', 'enqueuedAt', 'attempts', 'firstAttemptAt',
  'orderingKey')
if not h[1] then return {'unknown'} end
if h[1] ~= 'queued' or not h[3] then return {h[1]} end
if (h[2] or ARGV[1]) ~= ARGV[2] then return {'superseded'} end
local head = redis.call('LINDEX', KEYS[2], 0)
local where = 'head'
if head and head ~= ARGV[1] then where = 'behind' end
return {where, h[3], h[4] or '0', h[5] or '0', h[6] or '', h[7] or ''}
`,
);

/**
 * Takes a rate-limit slot (GCRA as RATE_TAKE, skipped when intervalMs is 0) and, when taken, counts the attempt
 * before it is made (a crash mid-delivery still counts). KEYS job, rate; ARGV now, intervalMs, burst →
 * {waitMs} when the destination must wait, else {0, attempt, firstAttemptAt}.
 */
export const START_ATTEMPT = new LuaScript(
  2,
  `
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
if t > 0 then
  local tau = t * (math.floor(tonumber(ARGV[3])) - 1)
  local tat = tonumber(redis.call('GET', KEYS[2]) or '0')
  local base = math.max(tat, now)
  local allowAt = base - tau
  if now < allowAt then return {allowAt - now} end
  redis.call('SET', KEYS[2], tostring(base + t), 'PX', math.max(1, base + t - now + 1000))
end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSETNX', KEYS[1], 'firstAttemptAt', ARGV[1])
redis.call('HSET', KEYS[1], 'lastAttemptAt', ARGV[1])
return {0, attempt, tonumber(redis.call('HGET', KEYS[1], 'firstAttemptAt'))}
`,
);
