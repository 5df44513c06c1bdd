-- A hand-off in one command: the transitions and their notifications, and the Rollouts' recency.
-- KEYS: the Rollouts zset, then per transition (its record, its Rollout's transition list), then per notification
-- (its hash). ARGV: now, oldest kept (ms), Rollouts kept, TTL (s), transitions kept per Rollout, T, then per
-- transition (record JSON, transition id, Rollout "ns/name"), J, then per notification (meta JSON, 1 = keep an
-- existing meta). A repeated hand-off keeps the first records and lists a transition once.
local now, ttl, per = ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[5])
local transitions = tonumber(ARGV[6])
local a, k = 7, 2
for _ = 1, transitions do
  redis.call('SET', KEYS[k], ARGV[a], 'EX', ttl, 'NX')
  if redis.call('LPOS', KEYS[k + 1], ARGV[a + 1]) == false and redis.call('LPUSH', KEYS[k + 1], ARGV[a + 1]) > per then
    redis.call('LTRIM', KEYS[k + 1], 0, per - 1)
  end
  redis.call('EXPIRE', KEYS[k + 1], ttl)
  redis.call('ZADD', KEYS[1], now, ARGV[a + 2])
  a = a + 3
  k = k + 2
end
local jobs = tonumber(ARGV[a])
a = a + 1
for _ = 1, jobs do
  if ARGV[a + 1] == '1' then redis.call('HSETNX', KEYS[k], 'meta', ARGV[a])
  else redis.call('HSET', KEYS[k], 'meta', ARGV[a]) end
  redis.call('EXPIRE', KEYS[k], ttl)
  a = a + 2
  k = k + 1
end
if transitions > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
end
return 1
