-- KEYS dlq; ARGV jobKeyPrefix, ttlMs → number purged. Job records stay (state purged) for idempotency.
local ids = redis.call('HKEYS', KEYS[1])
for _, id in ipairs(ids) do
  local jobKey = ARGV[1] .. id
  if redis.call('HGET', jobKey, 'state') == 'dead' then
    redis.call('HSET', jobKey, 'state', 'purged')
    redis.call('HDEL', jobKey, 'data')
    redis.call('PEXPIRE', jobKey, ARGV[2])
  end
end
redis.call('DEL', KEYS[1])
return #ids
