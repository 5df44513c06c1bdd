-- KEYS: one tx key per transition, the stream, then the object-state hash when ARGV[3] (its field) is not empty.
-- ARGV: ttl, maxlen, state field, state value, then id, json per transition.
local ttl = tonumber(ARGV[1])
local maxlen = ARGV[2]
local n = #KEYS - 1
if ARGV[3] ~= '' then n = n - 1 end
local fresh = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ttl) then
    redis.call('XADD', KEYS[n + 1], 'MAXLEN', '~', maxlen, '*', 'id', ARGV[4 + i * 2 - 1], 'json', ARGV[4 + i * 2])
    fresh[#fresh + 1] = i
  end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[n + 2], ARGV[3], ARGV[4]) end
return fresh
