-- Shared: hands the calling executor up to n due jobs of the ready set (earliest due first), each moved to the
-- active set with its lease's end as score. A lease that ran out (an executor killed or cut off mid-delivery) is
-- taken back only once it has been seen run out for graceMs: the first take that sees it notes the time in the
-- stalled hash, and its owner's renewal or settle in the meantime (queued while Redis was away: a fail-over, a
-- restart) clears the note; at most 100 per call. Its job goes back to the ready set and runs again (its attempts
-- were counted). When due jobs remain, the wake-up marker is set for another executor. Returns
-- {jobId, ticket, ...} followed by the earliest due time left in the ready set ('' when it is empty).
local function takeDue(readyKey, activeKey, markerKey, prefix, n, now, leaseUntil, graceMs)
  local stalledKey = prefix .. 'stalled'
  local expired = redis.call('ZRANGEBYSCORE', activeKey, '-inf', now, 'LIMIT', 0, 100)
  for _, id in ipairs(expired) do
    local seen = tonumber(redis.call('HGET', stalledKey, id) or '')
    if not seen then
      redis.call('HSET', stalledKey, id, now)
    elseif seen <= tonumber(now) - tonumber(graceMs) then
      redis.call('HDEL', stalledKey, id)
      redis.call('ZREM', activeKey, id)
      redis.call('ZADD', readyKey, now, id)
    end
  end
  local out = {}
  if n > 0 then
    local due = redis.call('ZRANGEBYSCORE', readyKey, '-inf', now, 'LIMIT', 0, n)
    for _, id in ipairs(due) do
      redis.call('ZREM', readyKey, id)
      redis.call('ZADD', activeKey, leaseUntil, id)
      out[#out + 1] = id
      out[#out + 1] = redis.call('HGET', prefix .. 'job:' .. id, 'ticket') or ''
    end
  end
  local first = redis.call('ZRANGE', readyKey, 0, 0, 'WITHSCORES')
  if first[2] and tonumber(first[2]) <= tonumber(now) then redis.call('ZADD', markerKey, 0, 'w') end
  out[#out + 1] = first[2] or ''
  return out
end

-- A settle script's reply: {ok, nextHead|false} followed by takeDue's.
local function settledReply(ok, next, readyKey, activeKey, markerKey, prefix, n, now, leaseUntil, graceMs)
  local out = {ok, next}
  for _, v in ipairs(takeDue(readyKey, activeKey, markerKey, prefix, n, now, leaseUntil, graceMs)) do
    out[#out + 1] = v
  end
  return out
end
