-- KEYS job, order, keys, ready, active, marker; ARGV jobId, data, ticket, now, orderingKey, prefix
-- → {state, executor} ("created" when new).
-- A new job is appended to its key's order; the head of a key is made ready and an idle executor woken. A known
-- id changes nothing, except that a queued one whose key's head has no executor has it made ready again.
-- include: ready-head.lua
local function wakeForHead()
  local _, readied = readyHead(KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[6], ARGV[5], ARGV[4])
  if readied then redis.call('ZADD', KEYS[6], 0, 'w') end
end
local h = redis.call('HMGET', KEYS[1], 'state', 'bullId')
if h[1] then
  if h[1] == 'queued' then
    wakeForHead()
    h[2] = redis.call('HGET', KEYS[1], 'bullId')
  end
  return {h[1], h[2] or ''}
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'data', ARGV[2], 'ticket', ARGV[3], 'bullId', 'rn:ready',
  'enqueuedAt', ARGV[4], 'attempts', 0, 'orderingKey', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[5])
if redis.call('RPUSH', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  redis.call('ZADD', KEYS[6], 0, 'w')
else
  wakeForHead() -- its key's head normally has its executor already: this only looks
end
return {'created', 'rn:ready'}
