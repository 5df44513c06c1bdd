-- A job's turn ends without settling it, and the executor takes its next due jobs (take-due.lua), in one step.
-- With a due time (a retry's backoff, a rate limit's wait, its namespace's share of the slots) a queued job goes
-- back to the ready set, due then; without one (it was skipped: settled, unknown; or another job of its key is
-- ahead) it leaves the executor's hands, and its key's head is made ready (ready-head.lua).
-- KEYS job, ready, active, marker, keys; ARGV jobId, due ('' for none), prefix, take, now, leaseUntil, graceMs
-- → {jobId, ticket, ..., nextDue}.
-- include: ready-head.lua
-- include: take-due.lua
local held = redis.call('ZREM', KEYS[3], ARGV[1]) == 1
redis.call('HDEL', ARGV[3] .. 'stalled', ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'state', 'orderingKey')
if ARGV[2] ~= '' and h[1] == 'queued' then
  -- (a lease that ran out meanwhile: the job is back in the ready set, or another executor holds it)
  if held then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
elseif h[2] then
  local _, readied = readyHead(ARGV[3] .. 'order:' .. h[2], KEYS[5], KEYS[2], KEYS[3], ARGV[3], h[2], ARGV[5])
  if readied then redis.call('ZADD', KEYS[4], 0, 'w') end
end
return takeDue(KEYS[2], KEYS[3], KEYS[4], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7])
