-- Shared by mark-delivered.lua and mark-dead.lua: drops a job from its ordering list and makes the key's new head
-- ready (ready-head.lua; the key leaves the set of keys when its list is empty). Returns the new head or false.
-- include: ready-head.lua
local function removeFromOrder(orderKey, keysKey, readyKey, activeKey, jobId, orderingKey, prefix, now)
  redis.call('LREM', orderKey, 1, jobId)
  local head = readyHead(orderKey, keysKey, readyKey, activeKey, prefix, orderingKey, now)
  return head
end
