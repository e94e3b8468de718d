-- A token bucket in one hash, with the leases its clients hold: the same rules as persevere's
-- TokenBucket, on tokens that the fleet shares.
--
-- A lease is tokens taken out of the bucket for a client to spend locally. Leases are recorded
-- per period of lease_ms (two live periods), so that a full bucket plus the tokens out on lease
-- never exceeds the capacity, and a lease that its client never gave back stops counting.
--
-- KEYS[1]   the bucket's hash
-- ARGV[1]   capacity, in units (thousandths of a token)
-- ARGV[2]   initial: the tokens of a new (or vanished) bucket
-- ARGV[3]   lease_ms: the period leases are recorded in
-- ARGV[4]   idle_ms: the key expires after this long without a client
-- ARGV[5]   credit: units earned by successes (rewards, refunds)
-- ARGV[6]   debt: units owed by failures and by a fallback's grants
-- ARGV[7]   ret_units: the unspent part of the client's lease, given back
-- ARGV[8]   ret_grant: that lease's size when it was granted
-- ARGV[9]   ret_period: the period it was granted in (-1: no lease)
-- ARGV[10]  want: units asked for
-- ARGV[11]  keep: units the bucket keeps (refuse_at_or_below + 1 unit; 0 without a floor)
-- ARGV[12]  step: grants are whole multiples of this
-- ARGV[13]  all_or_nothing: 1 grants `want` or nothing
--
-- Returns {granted, tokens left in the bucket, current period}.
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local initial = tonumber(ARGV[2])
local lease_ms = tonumber(ARGV[3])
local idle_ms = tonumber(ARGV[4])
local credit = tonumber(ARGV[5])
local debt = tonumber(ARGV[6])
local ret_units = tonumber(ARGV[7])
local ret_grant = tonumber(ARGV[8])
local ret_period = tonumber(ARGV[9])
local want = tonumber(ARGV[10])
local keep = tonumber(ARGV[11])
local step = tonumber(ARGV[12])
local all_or_nothing = ARGV[13] == '1'

local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local period = math.floor(now_ms / lease_ms)

local stored = redis.call('HMGET', key, 'tokens', 'lt0', 'la0', 'lt1', 'la1')
local tokens = tonumber(stored[1] or initial)
local tags, leased = {}, {}
for i = 0, 1 do
  local tag = tonumber(stored[2 + 2 * i] or '-1')
  if tag == period or tag == period - 1 then
    tags[i], leased[i] = tag, tonumber(stored[3 + 2 * i] or '0')
  else
    tags[i], leased[i] = -1, 0
  end
end

-- The old lease ends: its record goes, its unspent tokens come back.
if ret_period >= 0 and tags[ret_period % 2] == ret_period then
  leased[ret_period % 2] = math.max(0, leased[ret_period % 2] - ret_grant)
end
local out_on_lease = leased[0] + leased[1]
local function put(amount)
  -- Up to the capacity less what is out on lease; never takes away what is there.
  local limit = capacity - out_on_lease
  local new = tokens + amount
  if new > limit then
    new = math.max(tokens, limit)
  end
  tokens = new
end
put(ret_units + credit)
tokens = math.max(0, tokens - debt)

local available = tokens - keep
local granted = 0
if want > 0 then
  if all_or_nothing then
    if available >= want then
      granted = want
    end
  elseif available >= step then
    granted = math.min(want, math.floor(available / step) * step)
  end
end
if granted > 0 then
  tokens = tokens - granted
  local i = period % 2
  if tags[i] ~= period then
    tags[i], leased[i] = period, 0
  end
  leased[i] = leased[i] + granted
end

redis.call('HSET', key, 'tokens', tokens, 'lt0', tags[0], 'la0', leased[0], 'lt1', tags[1],
  'la1', leased[1])
redis.call('PEXPIRE', key, idle_ms)
return {granted, tokens, period}
