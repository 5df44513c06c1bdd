-- KEYS job, order, keys; ARGV jobId, orderingKey, now, ttlMs, ref → {ok, newHead|false}.
-- include: remove-from-order.lua
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false} end
redis.call('HSET', KEYS[1], 'state', 'delivered', 'deliveredAt', ARGV[3], 'ref', ARGV[5])
redis.call('HDEL', KEYS[1], 'data', 'lastError')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2])}
