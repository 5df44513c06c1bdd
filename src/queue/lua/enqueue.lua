-- KEYS job, order, keys; ARGV jobId, data, bullId, now, orderingKey → {state, bullId} ("created" when new).
local state = redis.call('HGET', KEYS[1], 'state')
if state then return {state, redis.call('HGET', KEYS[1], 'bullId') or ''} end
redis.call('HSET', KEYS[1], 'state', 'queued', 'data', ARGV[2], 'bullId', ARGV[3], 'enqueuedAt', ARGV[4],
  'attempts', 0, 'orderingKey', ARGV[5])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[5])
return {'created', ARGV[3]}
