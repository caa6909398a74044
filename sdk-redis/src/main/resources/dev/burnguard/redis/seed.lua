-- Re-seeds one flag's rollout state after Redis lost it (restart without persistence, FLUSHALL,
-- failover to a stale replica): writes the state only when none is stored or the stored one has
-- a lower version, so that the highest version any replica knew wins.
-- KEYS[1] state hash, KEYS[2] flag index set; ARGV[1] version, ARGV[2] state JSON,
-- ARGV[3] change channel, ARGV[4] flag key
-- Returns 1 when written, 0 when the stored version is as high or higher.
local current = redis.call('HGET', KEYS[1], 'version')
if current ~= false and tonumber(current) ~= nil and tonumber(current) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'state', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[4] .. '@' .. ARGV[1])
return 1
