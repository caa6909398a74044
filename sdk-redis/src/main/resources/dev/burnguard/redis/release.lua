-- Gives the decider's lease back when its holder leaves (compare-and-delete): another replica takes
-- it at its next tick instead of waiting for the lease to expire. A lease held by another replica is
-- left alone. KEYS[1] lease key; ARGV[1] holder id
-- Returns 1 when the caller's lease was deleted, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
