-- Shared by mark-delivered.lua and mark-dead.lua: drops a job from its ordering list (and the key from the set
-- of keys when the list is empty) and returns the new head and its executor (bullId), or false.
local function removeFromOrder(orderKey, keysKey, jobId, orderingKey, prefix)
  redis.call('LREM', orderKey, 1, jobId)
  if redis.call('LLEN', orderKey) == 0 then
    redis.call('SREM', keysKey, orderingKey)
    return false, false
  end
  local head = redis.call('LINDEX', orderKey, 0)
  return head, redis.call('HGET', prefix .. 'job:' .. head, 'bullId') or head
end
