-- Releases an attempt's claim on a job only if it still holds it (the claim may have lapsed and been taken).
-- KEYS[1] claim key; ARGV[1] the claim's token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
