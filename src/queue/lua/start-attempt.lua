-- Takes a rate-limit slot (GCRA as RATE_TAKE, skipped when intervalMs is 0) and, when taken, counts the attempt
-- before it is made (a crash mid-delivery still counts). KEYS job, rate; ARGV now, intervalMs, burst →
-- {waitMs} when the destination must wait, else {0, attempt, firstAttemptAt}.
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
if t > 0 then
  local tau = t * (math.floor(tonumber(ARGV[3])) - 1)
  local tat = tonumber(redis.call('GET', KEYS[2]) or '0')
  local base = math.max(tat, now)
  local allowAt = base - tau
  if now < allowAt then return {allowAt - now} end
  redis.call('SET', KEYS[2], tostring(base + t), 'PX', math.max(1, base + t - now + 1000))
end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSETNX', KEYS[1], 'firstAttemptAt', ARGV[1])
redis.call('HSET', KEYS[1], 'lastAttemptAt', ARGV[1])
return {0, attempt, tonumber(redis.call('HGET', KEYS[1], 'firstAttemptAt'))}
