-- Shared: makes the head of an ordering key runnable. Settled heads left in the order are dropped on the way (at
-- most 100); a queued head that is neither in the ready set nor in the active set (a lease) is added to the ready
-- set, due now, and owned by this executor ('rn:ready': an executor of an older version, a BullMQ job, then finds
-- itself superseded). Returns the head (false when the key has none left) and whether it was made ready.
local function readyHead(orderKey, keysKey, readyKey, activeKey, prefix, orderingKey, now)
  for _ = 1, 100 do
    local head = redis.call('LINDEX', orderKey, 0)
    if not head then
      redis.call('SREM', keysKey, orderingKey)
      return false, false
    end
    local h = redis.call('HMGET', prefix .. 'job:' .. head, 'state', 'bullId', 'lastAttemptAt')
    if h[1] == 'queued' then
      if redis.call('ZSCORE', readyKey, head) or redis.call('ZSCORE', activeKey, head) then return head, false end
      -- an older version's worker may be delivering it right now (a rolling upgrade): left to it while its
      -- attempt is younger than a minute (BullMQ's lock was 30 s); a later sweep takes it over
      if h[2] ~= 'rn:ready' and h[3] and tonumber(h[3]) > tonumber(now) - 60000 then return head, false end
      if h[2] ~= 'rn:ready' then redis.call('HSET', prefix .. 'job:' .. head, 'bullId', 'rn:ready') end
      redis.call('ZADD', readyKey, now, head)
      return head, true
    end
    redis.call('LPOP', orderKey) -- settled, or no record: it holds nothing back
  end
  return redis.call('LINDEX', orderKey, 0) or false, false
end
