-- Shared by mark-delivered.lua and mark-dead.lua: drops a job from its ordering list (and the key from the set
-- of keys when the list is empty) and returns the new head.
local function removeFromOrder(orderKey, keysKey, jobId, orderingKey)
  redis.call('LREM', orderKey, 1, jobId)
  if redis.call('LLEN', orderKey) == 0 then redis.call('SREM', keysKey, orderingKey) end
  return redis.call('LINDEX', orderKey, 0)
end
