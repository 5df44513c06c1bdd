-- One dead letter purged, atomically: its entry in the dead-letter hash and its job record together (a retry
-- of the same letter at the same time finds it either still dead or gone). The record stays (state purged,
-- without its data) until the idempotency TTL, so a re-enqueue of the same id is still a no-op.
-- KEYS job, dlq; ARGV jobId, ttlMs → 1, or 0 when it is not a dead letter (any more).
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'state') == 'dead' then
  redis.call('HSET', KEYS[1], 'state', 'purged')
  redis.call('HDEL', KEYS[1], 'data')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
