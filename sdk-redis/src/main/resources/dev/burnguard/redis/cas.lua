-- Compare-and-set of one flag's rollout state on its version, with the decision appended to the
-- flag's capped decision stream and a change notification published, all in one atomic step.
-- KEYS[1] state hash (fields: version, state), KEYS[2] decision stream, KEYS[3] flag index set
-- ARGV[1] expected version (-1: the flag has no state yet), ARGV[2] new version (> expected),
-- ARGV[3] state JSON, ARGV[4] decision JSON ('' for none), ARGV[5] stream cap,
-- ARGV[6] change channel, ARGV[7] flag key
-- Returns {1, new version} when applied; {0, current version or '-1', current state JSON or ''}
-- when the stored version is not the expected one (nothing is written).
local current = redis.call('HGET', KEYS[1], 'version')
local expected = tonumber(ARGV[1])
if current == false then
  if expected ~= -1 then
    return {0, '-1', ''}
  end
elseif tonumber(current) ~= expected then
  return {0, current, redis.call('HGET', KEYS[1], 'state') or ''}
end
if tonumber(ARGV[2]) <= expected then
  return redis.error_reply('new version ' .. ARGV[2] .. ' is not above ' .. ARGV[1])
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[7])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'version', ARGV[2], 'decision', ARGV[4])
end
redis.call('PUBLISH', ARGV[6], ARGV[7] .. '@' .. ARGV[2])
return {1, ARGV[2]}
