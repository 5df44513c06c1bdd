-- GCRA (same arithmetic as gcraTake). KEYS rate; ARGV now, intervalMs, burst → ms to wait (0 = taken).
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local tau = t * (math.floor(tonumber(ARGV[3])) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = math.max(tat, now)
local allowAt = base - tau
if now < allowAt then return allowAt - now end
redis.call('SET', KEYS[1], tostring(base + t), 'PX', math.max(1, base + t - now + 1000))
return 0
