-- The decider's lease: taken when free (SET NX PX), renewed by its holder (PEXPIRE).
-- KEYS[1] lease key; ARGV[1] holder id, ARGV[2] lease in milliseconds
-- Returns 1 when the caller holds the lease after the call, 0 otherwise.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  return 1
end
return 0
