-- A circuit breaker's state in one hash: the rules of persevere's CircuitBreaker (a count or
-- time window, a failure ratio and a slow-call ratio), on Redis's clock, so that every client
-- of the fleet sees one breaker.
--
-- KEYS[1]  the breaker's hash
-- ARGV[1]  op: 'admit' (may an attempt start?), 'record' (an attempt ended) or 'sync' (a
--          client's batch: its outcomes since the last sync, probes it gives back and wants)
-- ARGV[2]  failed: 1 if the attempt that ended failed (record only)
-- ARGV[3]  window: the number of outcomes judged (the last N; 0 with a time window)
-- ARGV[4]  ratio: the share of failed outcomes that opens it (0 < ratio <= 1)
-- ARGV[5]  open_ms: how long it stays open
-- ARGV[6]  probes: how many probe attempts it lets through half-open
-- ARGV[7]  slow_ratio: the share of slow outcomes that opens it (0 < ratio <= 1); the client
--          says which outcomes were slow (it knows how long its attempts ran)
-- ARGV[8]  period_ms: with a time window, a tenth of it (its outcomes are those of the last
--          ten periods, the current one included); 0 with a count window
-- ARGV[9]  min_calls: the fewest outcomes judged before it may open (the window's N with a
--          count window, which opens only once full)
-- ARGV[10] slow: 1 if the attempt that ended was slow (record only)
-- ARGV[11] sync only: fast successes, ARGV[12] fast failures, ARGV[13] slow successes,
--          ARGV[14] slow failures (applied successes first), ARGV[15] probes wanted,
--          ARGV[16] unused probes given back (to the round, if it is still half-open)
--
-- Fields: state (0 closed, 1 open, 2 half-open), since (ms), win, sent, done, bad, slo (the
-- half-open round's probes sent, outcomes in, failed, slow). `win` holds the closed
-- breaker's window: with a count window the last outcomes, newest last, each a digit (1 if
-- failed, plus 2 if slow); with a time window its live periods, each
-- `period:calls:failed:slow;`.
--
-- Returns {answer, state after, ms left open}: answer is, for 'admit', 0 refused, 1 let
-- through, 2 let through as a probe; for 'record', 1; for 'sync', the probes granted.
local key = KEYS[1]
local op = ARGV[1]
local failed = ARGV[2] == '1'
local window = tonumber(ARGV[3])
local ratio = tonumber(ARGV[4])
local open_ms = tonumber(ARGV[5])
local probes = tonumber(ARGV[6])
local slow_ratio = tonumber(ARGV[7])
local period_ms = tonumber(ARGV[8])
local min_calls = tonumber(ARGV[9])
local slow = ARGV[10] == '1'

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local f = redis.call('HMGET', key, 'state', 'since', 'win', 'sent', 'done', 'bad', 'slo')
local state = tonumber(f[1] or '0')
local since = tonumber(f[2] or '0')
local win = f[3] or ''
local sent = tonumber(f[4] or '0')
local done = tonumber(f[5] or '0')
local bad = tonumber(f[6] or '0')
local slo = tonumber(f[7] or '0')
-- A window kept under the other kind of rules (the rules of the key changed) starts empty.
if (period_ms > 0) ~= (string.find(win, ':', 1, true) ~= nil) then
  win = ''
end
-- With a time window, its periods {period, calls, failed, slow}: read from `win` once per
-- call and written back once (a sync records a whole batch).
local ring = {}
if period_ms > 0 then
  for p, c, fl, sl in string.gmatch(win, '(%d+):(%d+):(%d+):(%d+);') do
    ring[#ring + 1] = {tonumber(p), tonumber(c), tonumber(fl), tonumber(sl)}
  end
end

local function trips(calls, failures, slows)
  return calls > 0 and (failures >= ratio * calls or slows >= slow_ratio * calls)
end

local function enter(s)
  state, since, sent, done, bad, slo = s, now, 0, 0, 0, 0
  if s ~= 2 then
    win, ring = '', {}
  end
end

local function admit()
  if state == 0 then
    return 1
  end
  if state == 1 and now - since >= open_ms then
    enter(2)
  elseif state == 2 and sent >= probes and now - since >= open_ms then
    -- A round undecided for an open duration (a probe that never reported): a new one.
    enter(2)
  end
  if state == 2 and sent < probes then
    sent = sent + 1
    return 2
  end
  return 0
end

-- The closed breaker's time window: adds the outcome to the current period, drops the periods
-- that have left, and says whether it opens.
local function record_in_time(failed, slow)
  local period = math.floor(now / period_ms)
  for _, e in ipairs(ring) do
    -- Time never goes back for the window: an older clock counts in the newest period.
    if e[1] > period then
      period = e[1]
    end
  end
  local f, s = failed and 1 or 0, slow and 1 or 0
  local kept, found = {}, false
  local calls, failures, slows = 0, 0, 0
  for _, e in ipairs(ring) do
    if e[1] == period then
      e[2], e[3], e[4], found = e[2] + 1, e[3] + f, e[4] + s, true
    end
    if e[1] + 10 > period then
      kept[#kept + 1] = e
      calls, failures, slows = calls + e[2], failures + e[3], slows + e[4]
    end
  end
  if not found then
    kept[#kept + 1] = {period, 1, f, s}
    calls, failures, slows = calls + 1, failures + f, slows + s
  end
  ring = kept
  return calls >= min_calls and trips(calls, failures, slows)
end

-- The closed breaker's count window: appends outcomes (digits, oldest first), judging the
-- window after each one as the core does, with running counts (a sync's batch costs one pass,
-- not one pass over the window per outcome); stops at the outcome that opens it.
local function record_in_count(digits)
  if #win > window then
    win = string.sub(win, #win - window + 1)
  end
  local _, failures = string.gsub(win, '[13]', '')
  local _, slows = string.gsub(win, '[23]', '')
  local all, first = win .. digits, 1
  for i = #win + 1, #all do
    local d = string.byte(all, i) - 48
    failures, slows = failures + d % 2, slows + math.floor(d / 2)
    if i - first + 1 > window then
      local e = string.byte(all, first) - 48
      failures, slows = failures - e % 2, slows - math.floor(e / 2)
      first = first + 1
    end
    local calls = i - first + 1
    if calls >= min_calls and trips(calls, failures, slows) then
      enter(1)
      return
    end
  end
  win = string.sub(all, first)
end

-- An outcome's digit in the count window: 1 if failed, plus 2 if slow.
local function digit(failed, slow)
  return tostring((failed and 1 or 0) + (slow and 2 or 0))
end

local function record(failed, slow)
  if state == 0 and period_ms > 0 then
    if record_in_time(failed, slow) then
      enter(1)
    end
  elseif state == 0 then
    record_in_count(digit(failed, slow))
  elseif state == 2 then
    done = done + 1
    if failed then
      bad = bad + 1
    end
    if slow then
      slo = slo + 1
    end
    if done >= probes then
      if trips(done, bad, slo) then
        enter(1)
      else
        enter(0)
      end
    end
  end
end

local answer = 1
if op == 'admit' then
  answer = admit()
elseif op == 'record' then
  record(failed, slow)
else
  local want, ret = tonumber(ARGV[15]), tonumber(ARGV[16])
  if state == 2 and ret > 0 then
    sent = math.max(0, sent - ret)
  end
  -- Successes first (fast, slow), then failures (slow, fast): the batch's order is not known,
  -- and failures last err towards opening.
  for _, kind in ipairs({{11, false, false}, {13, false, true}, {14, true, true}, {12, true, false}}) do
    local n = tonumber(ARGV[kind[1]])
    if n > 0 and state == 0 and period_ms == 0 then
      record_in_count(string.rep(digit(kind[2], kind[3]), n))
    else
      for _ = 1, n do
        record(kind[2], kind[3])
      end
    end
  end
  answer = 0
  if state ~= 0 then
    while answer < want and admit() == 2 do
      answer = answer + 1
    end
  end
end

if period_ms > 0 then
  local parts = {}
  for _, e in ipairs(ring) do
    parts[#parts + 1] = string.format('%d:%d:%d:%d;', e[1], e[2], e[3], e[4])
  end
  win = table.concat(parts)
end
redis.call('HSET', key, 'state', state, 'since', since, 'win', win, 'sent', sent,
  'done', done, 'bad', bad, 'slo', slo)
-- A day without an attempt: the breaker is forgotten (closed and empty).
redis.call('PEXPIRE', key, 86400000 + open_ms)
local left = 0
if state == 1 then
  left = math.max(0, open_ms - (now - since))
end
return {answer, state, left}
