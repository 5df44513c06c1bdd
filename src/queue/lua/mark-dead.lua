-- KEYS job, order, keys, dlq; ARGV jobId, orderingKey, now, deadLetterJson → {ok, newHead|false}.
-- include: remove-from-order.lua
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false} end
redis.call('HSET', KEYS[1], 'state', 'dead', 'deadAt', ARGV[3])
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
return {1, removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2])}
