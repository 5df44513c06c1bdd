-- KEYS: one tx key per transition, the stream, the object-state hash when ARGV[3] (its field) is not empty, then
-- ARGV[5] keys that must exist (the job records of the enqueue this call follows in one round trip).
-- ARGV: ttl, maxlen, state field, state value, how many keys must exist, then id, json per transition.
-- → the indices (1-based) of the transitions recorded now; an error, changing nothing, when a required key is
--   missing (the enqueue before it did not run: its script was unknown to the server).
local ttl = tonumber(ARGV[1])
local maxlen = ARGV[2]
local required = tonumber(ARGV[5])
for i = #KEYS - required + 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    return redis.error_reply('NOTENQUEUED a record this call follows is missing: ' .. KEYS[i])
  end
end
local n = #KEYS - 1 - required
if ARGV[3] ~= '' then n = n - 1 end
local fresh = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ttl) then
    redis.call('XADD', KEYS[n + 1], 'MAXLEN', '~', maxlen, '*', 'id', ARGV[5 + i * 2 - 1], 'json', ARGV[5 + i * 2])
    fresh[#fresh + 1] = i
  end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[n + 2], ARGV[3], ARGV[4]) end
return fresh
