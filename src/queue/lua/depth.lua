-- The queue gauges in one step. KEYS ready, active, keys; ARGV now, prefix, maxKeys
-- → {due, later, active, behind, oldestEnqueuedAt|''}: heads due now and later (retry backoffs, rate-limit waits),
-- heads in flight, jobs queued behind their keys' heads, and the oldest enqueue time among the heads. The last two
-- look at no more than maxKeys ordering keys (the oldest job is always a head).
local due = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
local later = redis.call('ZCARD', KEYS[1]) - due
local active = redis.call('ZCARD', KEYS[2])
local behind, oldest = 0, nil
local cursor, seen = '0', 0
repeat
  local page = redis.call('SSCAN', KEYS[3], cursor, 'COUNT', 100)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    seen = seen + 1
    local order = ARGV[2] .. 'order:' .. key
    local n = redis.call('LLEN', order)
    if n > 1 then behind = behind + n - 1 end
    local head = redis.call('LINDEX', order, 0)
    if head then
      local at = tonumber(redis.call('HGET', ARGV[2] .. 'job:' .. head, 'enqueuedAt') or '')
      if at and (not oldest or at < oldest) then oldest = at end
    end
  end
until cursor == '0' or seen >= tonumber(ARGV[3])
return {due, later, active, behind, oldest and tostring(oldest) or ''}
