-- The worker's first look at a job, in one round trip: its record, and whether it is the head of its ordering
-- key. KEYS job, order; ARGV jobId, bullId → {state} when not queued ('unknown' when there is no record),
-- {'superseded'} when another executor owns it, else {'head' | 'behind', data, enqueuedAt, attempts,
-- firstAttemptAt ('' when none), orderingKey}.
local h = redis.call('HMGET', KEYS[1], 'state', 'bullId', 'data', 'enqueuedAt', 'attempts', 'firstAttemptAt',
  'orderingKey')
if not h[1] then return {'unknown'} end
if h[1] ~= 'queued' or not h[3] then return {h[1]} end
if (h[2] or ARGV[1]) ~= ARGV[2] then return {'superseded'} end
local head = redis.call('LINDEX', KEYS[2], 0)
local where = 'head'
if head and head ~= ARGV[1] then where = 'behind' end
return {where, h[3], h[4] or '0', h[5] or '0', h[6] or '', h[7] or ''}
