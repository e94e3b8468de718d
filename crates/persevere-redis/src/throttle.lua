-- An adaptive throttle's window in one hash: the requests and accepts of every client of the
-- fleet, in 10 slots of slot_ms on Redis's clock (as persevere's AdaptiveThrottle counts them
-- in one process), so that every client computes the SRE rule on the fleet's counts.
--
-- KEYS[1]  the throttle's hash
-- ARGV[1]  slot_ms: the length of one of the window's 10 slots (window / 10), in ms
-- ARGV[2]  requests: the client's requests since its last call (may be negative: refunds)
-- ARGV[3]  accepts: the client's accepts since its last call
--
-- Returns {requests, accepts} in the window after adding these.
local key = KEYS[1]
local slot_ms = tonumber(ARGV[1])
local requests = tonumber(ARGV[2])
local accepts = tonumber(ARGV[3])

local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local period = math.floor(now_ms / slot_ms)

local fields = {}
for i = 0, 9 do
  fields[#fields + 1] = 't' .. i
  fields[#fields + 1] = 'r' .. i
  fields[#fields + 1] = 'a' .. i
end
local stored = redis.call('HMGET', key, unpack(fields))
local out = {}
local total_r, total_a = 0, 0
for i = 0, 9 do
  local tag = tonumber(stored[1 + 3 * i] or '-1')
  local r = tonumber(stored[2 + 3 * i] or '0')
  local a = tonumber(stored[3 + 3 * i] or '0')
  if not (tag > period - 10 and tag <= period) then
    tag, r, a = -1, 0, 0
  end
  if i == period % 10 then
    if tag ~= period then
      tag, r, a = period, 0, 0
    end
    r, a = r + requests, a + accepts
  end
  total_r, total_a = total_r + r, total_a + a
  out[#out + 1] = 't' .. i
  out[#out + 1] = tag
  out[#out + 1] = 'r' .. i
  out[#out + 1] = r
  out[#out + 1] = 'a' .. i
  out[#out + 1] = a
end
redis.call('HSET', key, unpack(out))
-- Two windows without a call: everything in it has expired, and so does the key.
redis.call('PEXPIRE', key, slot_ms * 20)
return {math.max(0, total_r), math.max(0, total_a)}
