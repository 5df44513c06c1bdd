-- Where a notification stands, with the attempt that got it there (if any) and the overview's per-minute count.
-- KEYS: the notification hash, its attempts list, the minute's stats hash. ARGV: attempt JSON or '', attempts
-- kept, TTL (s), outcome, now, detail, stats field or '', stats TTL (s).
if ARGV[1] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[1], 'outcome', ARGV[4], 'updatedAt', ARGV[5], 'detail', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[7] ~= '' then
  redis.call('HINCRBY', KEYS[3], ARGV[7], 1)
  redis.call('EXPIRE', KEYS[3], ARGV[8])
end
return 1
