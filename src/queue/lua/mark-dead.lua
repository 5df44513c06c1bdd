-- Dead-letters a job (kept until retried or purged), makes the next job of the key ready, and hands the executor
-- its next due jobs (take-due.lua), all in one step.
-- KEYS job, order, keys, dlq, ready, active, marker; ARGV jobId, orderingKey, now, deadLetterJson, prefix, take,
-- leaseUntil, graceMs → {ok, nextHead|false, jobId, ticket, ..., nextDue}.
-- include: remove-from-order.lua
-- include: take-due.lua
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('HDEL', ARGV[5] .. 'stalled', ARGV[1])
local ok, next = 0, false
if redis.call('HGET', KEYS[1], 'state') == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'dead', 'deadAt', ARGV[3])
  redis.call('HDEL', KEYS[1], 'ticket')
  redis.call('PERSIST', KEYS[1])
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
  next = removeFromOrder(KEYS[2], KEYS[3], KEYS[5], KEYS[6], ARGV[1], ARGV[2], ARGV[5], ARGV[3])
  ok = 1
end
return settledReply(ok, next, KEYS[5], KEYS[6], KEYS[7], ARGV[5], tonumber(ARGV[6]), ARGV[3], ARGV[7], ARGV[8])
