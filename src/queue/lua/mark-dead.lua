-- Dead-letters a job (kept until retried or purged) and promotes the next job of the key.
-- KEYS job, order, keys, dlq; ARGV jobId, orderingKey, now, deadLetterJson, prefix
-- → {ok, nextHead|false, nextBullId|false}.
-- include: remove-from-order.lua
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return {0, false, false} end
redis.call('HSET', KEYS[1], 'state', 'dead', 'deadAt', ARGV[3])
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
local next, nextBullId = removeFromOrder(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[5])
return {1, next, nextBullId}
