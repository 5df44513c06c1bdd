-- claim → rate slot → attempt, in one round trip. KEYS job, order (of the executor's ordering key), rate;
-- ARGV jobId, executorId (bullId), orderingKey, now, intervalMs (0 = no limit), burst, countAttempt (1|0),
-- prefix (the queue's key prefix with its ':').
-- → {'skip', why} when the job is not queued ('unknown' without a record) or another executor owns it
--   ('superseded'); {'behind', headJobId, headBullId} when a queued job of its key is ahead (settled heads left in
--   the order are dropped on the way); {'wait', ms} when the destination's rate limit says so (nothing counted);
--   else {'claimed', data, enqueuedAt, attempts, firstAttemptAt ('' when none)} with this attempt counted
--   before it is made (a crash mid-delivery still counts).
local h = redis.call('HMGET', KEYS[1], 'state', 'bullId', 'data', 'enqueuedAt', 'attempts', 'firstAttemptAt',
  'orderingKey')
if not h[1] then return {'skip', 'unknown'} end
if h[1] ~= 'queued' or not h[3] then return {'skip', h[1]} end
if (h[2] or ARGV[1]) ~= ARGV[2] then return {'skip', 'superseded'} end
local order = KEYS[2]
if (h[7] or '') ~= ARGV[3] then order = ARGV[8] .. 'order:' .. (h[7] or '') end -- a wrong hint: the record's key

-- A job missing from its order (should not happen) is not held back forever.
if redis.call('LPOS', order, ARGV[1]) then
  for _ = 1, 100 do
    local head = redis.call('LINDEX', order, 0)
    if head == ARGV[1] then break end
    local hs = redis.call('HMGET', ARGV[8] .. 'job:' .. head, 'state', 'bullId')
    if hs[1] == 'queued' then return {'behind', head, hs[2] or head} end
    redis.call('LPOP', order) -- settled, or no record: it holds nothing back
  end
  local head = redis.call('LINDEX', order, 0)
  if head ~= ARGV[1] then return {'behind', head, redis.call('HGET', ARGV[8] .. 'job:' .. head, 'bullId') or head} end
end

-- GCRA (same arithmetic as gcraTake in rate-limit.ts)
local now = tonumber(ARGV[4])
local t = tonumber(ARGV[5])
if t > 0 then
  local tau = t * (math.floor(tonumber(ARGV[6])) - 1)
  local tat = tonumber(redis.call('GET', KEYS[3]) or '0')
  local base = math.max(tat, now)
  local allowAt = base - tau
  if now < allowAt then return {'wait', allowAt - now} end
  redis.call('SET', KEYS[3], tostring(base + t), 'PX', math.max(1, base + t - now + 1000))
end

local attempts = tonumber(h[5] or '0')
local first = h[6] or ''
if ARGV[7] == '1' then
  attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  if first == '' then
    first = ARGV[4]
    redis.call('HSET', KEYS[1], 'firstAttemptAt', first)
  end
  redis.call('HSET', KEYS[1], 'lastAttemptAt', ARGV[4])
end
return {'claimed', h[3], h[4] or '0', tostring(attempts), first}
