-- An executor with free slots takes due jobs. KEYS ready, active, marker; ARGV prefix, n, now, leaseUntil, graceMs
-- → {jobId, ticket, ..., nextDue} (take-due.lua).
-- include: take-due.lua
return takeDue(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5])
