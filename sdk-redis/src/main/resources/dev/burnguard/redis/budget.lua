-- Adds one replica's batch of journey-SLO counts (error budgets) to the fleet's hourly sums, exactly
-- once: as push.lua, a batch carries the replica's next sequence number and a batch whose number is
-- not above the last one applied (a retry after a timeout whose first attempt did arrive) changes
-- nothing.
-- KEYS[1] the replica's budget sequence key; then one hash per SLO: fields "<hour>:c" (calls) and
-- "<hour>:b" (bad calls), hours since the epoch (UTC), added to with HINCRBY.
-- ARGV[1] sequence number, ARGV[2] sequence key TTL (ms), ARGV[3] hours kept (the longest budget
-- period and spare), ARGV[4] an SLO hash's TTL (ms, renewed by every push to it); then per SLO hash,
-- in KEYS order: the number of its entries, then per entry: hour, calls, bad calls.
-- When an hour takes its first calls, the day of hours that fell out of the kept span is deleted, so
-- a hash holds at most the kept hours (plus a day's worth if nobody pushed for a day).
-- Returns {1} when applied, {0} for a duplicate.
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= last then
  return {0}
end
local keep = tonumber(ARGV[3])
local a = 5
for k = 2, #KEYS do
  local n = tonumber(ARGV[a])
  a = a + 1
  for i = 1, n do
    local hour = tonumber(ARGV[a])
    local calls = tonumber(ARGV[a + 1])
    local bad = tonumber(ARGV[a + 2])
    a = a + 3
    local total = redis.call('HINCRBY', KEYS[k], string.format('%d:c', hour), calls)
    if bad ~= 0 then
      redis.call('HINCRBY', KEYS[k], string.format('%d:b', hour), bad)
    end
    if total == calls then
      local old = {}
      for h = hour - keep - 23, hour - keep do
        old[#old + 1] = string.format('%d:c', h)
        old[#old + 1] = string.format('%d:b', h)
      end
      redis.call('HDEL', KEYS[k], unpack(old))
    end
  end
  redis.call('PEXPIRE', KEYS[k], ARGV[4])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1}
