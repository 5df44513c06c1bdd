-- KEYS job, order, keys, dlq, ready, active, marker; ARGV jobId, orderingKey, now, data, ticket, prefix
-- → 1, or 0 when not a dead letter. Queued again behind its key's queued jobs (made ready when it is the head).
-- include: ready-head.lua
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'queued', 'bullId', 'rn:ready', 'attempts', 0, 'orderingKey', ARGV[2],
  'data', ARGV[4], 'ticket', ARGV[5], 'requeuedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'firstAttemptAt', 'lastAttemptAt', 'lastError', 'deadAt')
redis.call('PERSIST', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
local _, readied = readyHead(KEYS[2], KEYS[3], KEYS[5], KEYS[6], ARGV[6], ARGV[2], ARGV[3])
if readied then redis.call('ZADD', KEYS[7], 0, 'w') end
return 1
