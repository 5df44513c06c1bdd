-- KEYS job, order, keys, dlq; ARGV jobId, orderingKey, bullId, now, data → 1, or 0 when not a dead letter.
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'queued', 'bullId', ARGV[3], 'attempts', 0, 'orderingKey', ARGV[2],
  'data', ARGV[5], 'requeuedAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'firstAttemptAt', 'lastAttemptAt', 'lastError', 'deadAt')
redis.call('PERSIST', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
