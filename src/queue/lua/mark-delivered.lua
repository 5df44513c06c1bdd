-- The ack: marks delivered (the record expires after the idempotency TTL) and promotes the next job of the key.
-- KEYS job, order, keys; ARGV jobId, orderingKey, now, ttlMs, ref, prefix → {ok, nextHead|false, nextBullId|false}.
-- include: remove-from-order.lua
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false, false} end
redis.call('HSET', KEYS[1], 'state', 'delivered', 'deliveredAt', ARGV[3], 'ref', ARGV[5])
redis.call('HDEL', KEYS[1], 'data', 'lastError')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local next, nextBullId = removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[6])
return {1, next, nextBullId}
