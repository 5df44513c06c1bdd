-- Where a notification stands, with the attempt that got it there (if any) and the overview's per-minute count.
-- KEYS: the notification hash, its attempts list, the minute's stats hash. ARGV: attempt JSON or '', attempts
-- kept, TTL (s), outcome, now, detail, stats field or '', stats TTL (s).
if ARGV[1] ~= '' then
  local kept = tonumber(ARGV[2])
  if redis.call('RPUSH', KEYS[2], ARGV[1]) > kept then redis.call('LTRIM', KEYS[2], -kept, -1) end
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[1], 'outcome', ARGV[4], 'updatedAt', ARGV[5], 'detail', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[7] ~= '' then
  -- the minute's hash is written only during its minute: its TTL is set when one of its counts is made
  if redis.call('HINCRBY', KEYS[3], ARGV[7], 1) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[8]) end
end
return 1
