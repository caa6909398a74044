-- Drops one flag's rollout state if it still has the given version (a flag whose plan has been
-- gone for the retention). KEYS[1] state hash, KEYS[2] flag index set; ARGV[1] version, ARGV[2] flag key
-- Returns 1 when dropped (or already gone), 0 when another version is stored.
local current = redis.call('HGET', KEYS[1], 'version')
if current == false then
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
if tonumber(current) ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
