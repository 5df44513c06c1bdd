-- The repair sweep, one ordering key: its head made ready when it has no executor (ready-head.lua; a key whose
-- order holds no queued job leaves the set of keys). KEYS order, keys, ready, active, marker;
-- ARGV orderingKey, prefix, now → 1 when the head was made ready.
-- include: ready-head.lua
local _, readied = readyHead(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[1], ARGV[3])
if readied then
  redis.call('ZADD', KEYS[5], 0, 'w')
  return 1
end
return 0
