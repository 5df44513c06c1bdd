-- Runs the script once per call in one round trip (an ioredis pipeline, not a transaction: each call is atomic
-- on its own). Calls the server did not know the script for are run again one by one (NOSCRIPT ran nothing).
-- /
--   async runMany(
--     redis: RedisClient,
--     calls: { keys: string[]; args: (string | number)[] }[],
--     opts: { waitForReplica?: { timeoutMs: number } } = {},
--   ): Promise<unknown[]> {
--     if (calls.length === 0) return [];
--     const pipe = redis.pipeline();
--     for (const c of calls) {
--       if (c.keys.length !== this.numberOfKeys) throw new Error(`script expects ${this.numberOfKeys} keys`);
--       pipe.evalsha(this.sha, c.keys.length, ...c.keys, ...c.args);
--     }
--     // In the same round trip: answer once a replica has the writes (or after the timeout: then they are only on
--     // the primary, as without a replica).
--     if (opts.waitForReplica) pipe.call("WAIT", "1", String(opts.waitForReplica.timeoutMs));
--     const res = (await pipe.exec()) ?? [];
--     return Promise.all(
--       calls.map(async (c, i) => {
--         const [err, value] = res[i] ?? [new Error("no reply"), undefined];
--         if (!err) return value;
--         if (!String(err.message).includes("NOSCRIPT")) throw err;
--         return redis.eval(this.source, c.keys.length, ...c.keys, ...c.args);
--       }),
--     );
--   }
-- }
--
-- /** KEYS job, order, keys; ARGV jobId, data, bullId, now, orderingKey → {state, bullId} ("created" when new).
local state = redis.call('HGET', KEYS[1], 'state')
if state then return {state, redis.call('HGET', KEYS[1], 'bullId') or ''} end
redis.call('HSET', KEYS[1], 'state', 'queued', 'data', ARGV[2], 'bullId', ARGV[3], 'enqueuedAt', ARGV[4],
  'attempts', 0, 'orderingKey', ARGV[5])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[5])
return {'created', ARGV[3]}
