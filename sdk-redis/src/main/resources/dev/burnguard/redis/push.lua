-- Adds one replica's batch of SLI deltas to the fleet-wide buckets, exactly once: a batch carries
-- the replica's next sequence number, and a batch whose number is not above the last one applied
-- (a retry after a timeout whose first attempt did arrive) changes nothing.
-- KEYS[1] the replica's sequence key, KEYS[2] the set of series (their 10-s ring keys), KEYS[3] the
-- hash of instances' recent calls (for dashboards); then 4 ring keys per entry (10 s, 1 min, 10 min,
-- 1 h buckets)
-- ARGV[1] sequence number, ARGV[2] sequence key TTL (ms), ARGV[3] counters per entry (calls,
-- errors, slow per threshold), ARGV[4] the instance id ('' to skip the instance's calls), ARGV[5]
-- the pushing replica's lease holder id, ARGV[6] the push's epoch minute; then per entry: its
-- second (epoch seconds), then the counters.
-- A ring is a hash of at most `slots` fields, one per bucket slot, each "bucket:c1:c2:..."; a slot
-- holding an older bucket is reclaimed, a delta older than a slot's bucket is too old and dropped
-- (counted in the reply). Each ring key expires one ring span after the start of the newest bucket
-- written into it: its expiry is set only when a slot takes a new bucket (once per bucket width,
-- not on every push), which is all its newest bucket needs. A series is added to the set of series
-- when its 10-s ring takes a new bucket (once per 10 s), not on every push. A ring key that
-- holds something else than a hash (written by hand) is skipped: its entry's calls are dropped
-- (counted) and the key named in the reply; the other series are still added.
-- The instance hash's field <instance> is "minute:calls this minute:calls the minute before:holder".
-- Returns {1, dropped calls, bad keys...} when applied, {0, 0} for a duplicate.
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local seq = tonumber(ARGV[1])
if seq <= last then
  return {0, 0}
end
local widths = {10, 60, 600, 3600}
local slots = {38, 62, 38, 74}
local words = tonumber(ARGV[3])
local first = 7
local entries = (#ARGV - first + 1) / (words + 1)
local dropped = 0
local calls = 0
local bad = {}
for e = 0, entries - 1 do
  local base = first + e * (words + 1)
  local second = tonumber(ARGV[base])
  calls = calls + tonumber(ARGV[base + 1])
  for r = 1, 4 do
    local key = KEYS[3 + e * 4 + r]
    local held = redis.pcall('HGET', key, tostring(math.floor(second / widths[r]) % slots[r]))
    if type(held) == 'table' and held.err then
      bad[#bad + 1] = key
      if r == 1 then
        dropped = dropped + tonumber(ARGV[base + 1])
      end
    else
      local bucket = math.floor(second / widths[r])
      local slot = tostring(bucket % slots[r])
      local counts = {}
      local stale = false
      local fresh = true -- the slot takes a new bucket
      if held then
        local parts = {}
        for p in string.gmatch(held, '[^:]+') do
          parts[#parts + 1] = tonumber(p)
        end
        if parts[1] == bucket then
          fresh = false
          for w = 1, words do
            counts[w] = parts[w + 1] or 0
          end
        elseif parts[1] ~= nil and parts[1] > bucket then
          stale = true
        end
      end
      if stale then
        if r == 1 then
          dropped = dropped + tonumber(ARGV[base + 1])
        end
      else
        local out = {string.format('%d', bucket)}
        for w = 1, words do
          out[w + 1] = string.format('%d', (counts[w] or 0) + tonumber(ARGV[base + w]))
        end
        redis.call('HSET', key, slot, table.concat(out, ':'))
        if fresh then
          redis.call('PEXPIRE', key, widths[r] * slots[r] * 1000)
          if r == 1 then
            redis.call('SADD', KEYS[2], key)
          end
        end
      end
    end
  end
end
redis.call('PEXPIRE', KEYS[2], widths[4] * slots[4] * 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[4] ~= '' then
  local minute = tonumber(ARGV[6])
  local held = redis.pcall('HGET', KEYS[3], ARGV[4])
  if type(held) == 'table' and held.err then
    bad[#bad + 1] = KEYS[3]
  else
    local now, before = calls, 0
    if held then
      local m, c = string.match(held, '^(%d+):(%d+):')
      m, c = tonumber(m), tonumber(c)
      if m == minute then
        local p = tonumber(string.match(held, '^%d+:%d+:(%d+):'))
        now, before = c + calls, p or 0
      elseif m == minute - 1 then
        before = c
      end
    end
    redis.call('HSET', KEYS[3], ARGV[4], string.format('%d:%d:%d:%s', minute, now, before, ARGV[5]))
    redis.call('PEXPIRE', KEYS[3], ARGV[2])
  end
end
local reply = {1, dropped}
for i = 1, #bad do
  reply[#reply + 1] = bad[i]
end
return reply
