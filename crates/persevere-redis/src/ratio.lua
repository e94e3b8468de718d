-- A ratio budget's window in one hash: the same arithmetic as persevere's RatioBudget, on
-- Redis's clock, so that every client of the fleet agrees on the slots.
--
-- KEYS[1]  the budget's hash
-- ARGV[1]  slot_ms: the length of one of the window's 10 slots (ttl / 10), in ms
-- ARGV[2]  deposit: units earned by calls (added to the current slot)
-- ARGV[3]  charge: units spent without asking (a fallback's grants, a lease overdrawn)
-- ARGV[4]  ret_units: the unspent part of a lease, given back to the slot it was taken in
-- ARGV[5]  ret_period: that slot's period (-1: nothing to give back)
-- ARGV[6]  want: units asked for (a lease, or one retry)
-- ARGV[7]  reserve: the floor's min_per_sec * ttl, in units
-- ARGV[8]  step: grants are whole multiples of this (one retry)
-- ARGV[9]  all_or_nothing: 1 grants `want` or nothing, 0 grants what whole steps there are
--
-- Returns {granted, balance after the grant, current period}.
local key = KEYS[1]
local slot_ms = tonumber(ARGV[1])
local deposit = tonumber(ARGV[2])
local charge = tonumber(ARGV[3])
local ret_units = tonumber(ARGV[4])
local ret_period = tonumber(ARGV[5])
local want = tonumber(ARGV[6])
local reserve = tonumber(ARGV[7])
local step = tonumber(ARGV[8])
local all_or_nothing = ARGV[9] == '1'

local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local period = math.floor(now_ms / slot_ms)

local fields = {'slot_ms'}
for i = 0, 9 do
  fields[#fields + 1] = 't' .. i
  fields[#fields + 1] = 'c' .. i
end
local stored = redis.call('HMGET', key, unpack(fields))
if stored[1] and tonumber(stored[1]) ~= slot_ms then
  return redis.error_reply('PERSEVERE_WINDOW this budget has slots of ' .. stored[1] ..
    ' ms (a window ten times that), not ' .. slot_ms .. ' ms')
end

-- Slot i holds period tags[i]; a period counts while it is one of the last 10.
local tags, counts = {}, {}
for i = 0, 9 do
  local tag = tonumber(stored[2 + 2 * i] or '-1')
  if tag > period - 10 and tag <= period then
    tags[i], counts[i] = tag, tonumber(stored[3 + 2 * i] or '0')
  else
    tags[i], counts[i] = -1, 0
  end
end
local function add_now(amount)
  local i = period % 10
  if tags[i] ~= period then
    tags[i], counts[i] = period, 0
  end
  counts[i] = counts[i] + amount
end

add_now(deposit - charge)
-- A lease's unspent part undoes its withdrawal where it was recorded; if that slot has left
-- the window, the withdrawal has expired already and there is nothing to undo.
if ret_units > 0 and ret_period >= 0 and tags[ret_period % 10] == ret_period then
  counts[ret_period % 10] = counts[ret_period % 10] + ret_units
end

local sum = 0
for i = 0, 9 do
  sum = sum + counts[i]
end
local balance = reserve + sum
local granted = 0
if want > 0 then
  if all_or_nothing then
    if balance >= want then
      granted = want
    end
  elseif balance >= step then
    granted = math.min(want, math.floor(balance / step) * step)
  end
end
if granted > 0 then
  add_now(-granted)
end

local out = {'slot_ms', slot_ms}
for i = 0, 9 do
  out[#out + 1] = 't' .. i
  out[#out + 1] = tags[i]
  out[#out + 1] = 'c' .. i
  out[#out + 1] = counts[i]
end
redis.call('HSET', key, unpack(out))
-- Two windows without a call: everything in it has expired, and so does the key.
redis.call('PEXPIRE', key, slot_ms * 20)
return {granted, balance - granted, period}
