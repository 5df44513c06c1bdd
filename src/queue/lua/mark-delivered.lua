-- The ack: marks delivered (the record expires after the idempotency TTL), makes the next job of the key ready,
-- and hands the executor its next due jobs (take-due.lua), all in one step.
-- KEYS job, order, keys, ready, active, marker; ARGV jobId, orderingKey, now, ttlMs, ref, prefix, take, leaseUntil,
-- graceMs
-- → {ok, nextHead|false, jobId, ticket, ..., nextDue}.
-- include: remove-from-order.lua
-- include: take-due.lua
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HDEL', ARGV[6] .. 'stalled', ARGV[1])
local ok, next = 0, false
if redis.call('HGET', KEYS[1], 'state') == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'delivered', 'deliveredAt', ARGV[3], 'ref', ARGV[5])
  redis.call('HDEL', KEYS[1], 'data', 'lastError', 'ticket')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  next = removeFromOrder(KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[6], ARGV[3])
  ok = 1
end
return settledReply(ok, next, KEYS[4], KEYS[5], KEYS[6], ARGV[6], tonumber(ARGV[7]), ARGV[3], ARGV[8], ARGV[9])
