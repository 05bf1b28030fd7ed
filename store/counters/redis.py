"""Counters in Redis, shared by every server process: one Lua script, one round trip per
call, so each admission (all its checks, then all its charges) is atomic across processes.

Keys, under the configured prefix:
- WINDOW `<key>`: a sorted set of `<member>:<amount>` scored by the time charged (a
  settlement replaces the reserved amount with the one used, at the same time), and
  `<key>:sum`, the sum of its amounts (kept so a check costs O(expired), not O(entries));
- COUNT `<key>`: a sorted set of members scored by the time charged (its count is ZCARD);
- PERIOD `<key>`: an integer, expiring a while after its period ends;
- SLOTS `<key>`: a sorted set of members scored by the end of their lease;
- `settled:<process>`: the numbers of one process's settlement batches applied but not yet
  acknowledged to it (see below), kept an hour after its last batch.

Settlements do not cost the request a round trip: `settle()` hands them to this
process's settler (store.counters.settler), and they travel with the next call
this process makes (the script applies them before it checks anything, so this
process always counts its own settlements) or in a background call within
0.1 s. Batches are numbered per process, and the script keeps the numbers it
applied until the process has heard back (a call tells it the lowest number
still unacknowledged), so a batch resent after a call that got no answer is
never counted twice.

Times come from the caller (the server's injectable clock), not from Redis's TIME,
so that tests can move a day forward; processes' clocks are assumed NTP-close.
All keys of one call are passed in KEYS except the `:sum` companions and the
batch marks, which only matters for Redis Cluster (one Redis, or Sentinel, is
what this expects).

The script answers one string rather than an array: parsing a reply of 26
numbers cost the client more than the script cost Redis. Its arguments are one
per number (Lua splitting packed strings cost Redis about 13 µs a call; hiredis
packs them in C).
"""

import hashlib
import logging
import secrets
import time
from collections.abc import Sequence

from store.counters import (
    PERIOD_GRACE_MS,
    SLOT_RETRY_MS,
    Admission,
    Check,
    CounterState,
    CountersUnavailable,
    Kind,
    Settlement,
)
from store.counters.resp import RedisConnection, RedisUnreachable, ReplyError
from store.counters.settler import DEFAULT_DELAY_SECONDS, Batch, Settler

log = logging.getLogger(__name__)

# How long Redis remembers this process's applied settlement batches after it last trimmed
# them (longer than the settler retries a batch).
BATCH_MARK_MS = 3_600_000
TRIM_EVERY = 64
TRIM_SECONDS = 30.0

# KEYS: the checks' keys, then one per settlement, in order.
# ARGV: now, member, charge ("1"/"0"), period grace ms, slot retry ms, this process's batch
#   mark, how long the mark lives (ms), the lowest batch number not yet acknowledged (0: keep
#   the mark as it is this time), the number of checks, then 5 per check (kind, limit, amount,
#   span_ms, ends_at_ms), then the settlements: per batch its number and count, then 6 per
#   settlement (kind, reserved, actual, member, actual - reserved, when it was reserved or 0).
# Returns one string: "refused retry_ms" then per check "used reset_ms refused".
_SCRIPT = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local charge = ARGV[3] == '1'
local grace, slot_retry = tonumber(ARGV[4]), tonumber(ARGV[5])
local mark, mark_ms, trim_from = ARGV[6], ARGV[7], ARGV[8]
local n = tonumber(ARGV[9])
local checks = 9  -- ARGV[checks + (i - 1) * 5 + 1 ..] describe check i
local function amount_of(m) return tonumber(string.match(m, ':(%-?%d+)$')) end
-- A log's key lives two spans after it is refreshed, and is refreshed once it has less than
-- a span and a second left: its newest entry always outlives its window, at one cheap PTTL
-- per charge instead of a PEXPIRE.
local function keep(key, span, also)
  if redis.call('PTTL', key) < span + 1000 then
    redis.call('PEXPIRE', key, 2 * span + 1000)
    if also then redis.call('PEXPIRE', also, 2 * span + 1000) end
  end
end
-- Drops a log's entries older than its window; returns (what they amounted to, the time of
-- the oldest entry left or nil). The first entries are read at once: usually none or one
-- has left since the last call.
local function expire(key, span, summed)
  local cutoff = now - span
  local head = redis.call('ZRANGE', key, 0, 1, 'WITHSCORES')
  local freed, gone, oldest = 0, 0, nil
  for j = 1, #head, 2 do
    local score = tonumber(head[j + 1])
    if score > cutoff then
      oldest = score
      break
    end
    gone = gone + 1
    if summed then freed = freed + amount_of(head[j]) end
  end
  if gone == 0 then return 0, oldest end
  if gone == 2 then  -- more may have left than the head showed
    freed = 0
    if summed then
      for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', cutoff)) do
        freed = freed + amount_of(m)
      end
    end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if #first > 0 then oldest = tonumber(first[2]) end
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  end
  return freed, oldest
end

-- 1. Settlements this process made since its last call: before any check sees the counters.
-- The mark is a set of this process's batch numbers applied and not yet acknowledged (numbers
-- below ARGV[10] were, and are dropped): a batch sent again after a call that got no answer
-- is not applied twice.
local spec = ARGV
local s, k = checks + n * 5 + 1, n
if s <= #spec then
  if trim_from ~= '0' then redis.call('ZREMRANGEBYSCORE', mark, '-inf', '(' .. trim_from) end
  while s <= #spec do
    local seq, count = spec[s], tonumber(spec[s + 1])
    s = s + 2
    local fresh = redis.call('ZADD', mark, 'NX', seq, seq) == 1
    for _ = 1, count do
      k = k + 1
      if fresh then
        local key, kind, who = KEYS[k], spec[s], spec[s + 3]
        if kind == 'c' then
          if spec[s + 2] == '0' then redis.call('ZREM', key, who) end
        elseif kind == 'w' then
          -- The reservation takes the amount used, at its own time, if it is still in the
          -- window (gone, it was taken off the sum as it left).
          local reserved, at = who .. ':' .. spec[s + 1], spec[s + 5]
          if at == '0' then at = redis.call('ZSCORE', key, reserved) end
          if at and redis.call('ZREM', key, reserved) == 1 then
            if spec[s + 2] ~= '0' then redis.call('ZADD', key, at, who .. ':' .. spec[s + 2]) end
            redis.call('INCRBY', key .. ':sum', spec[s + 4])
          end
        elseif kind == 'p' then
          -- A period whose counter is gone (it ended) is not started again by its settlement.
          local delta = tonumber(spec[s + 4])
          if redis.call('INCRBY', key, delta) == delta then redis.call('DEL', key) end
        else
          redis.call('ZREM', key, who)
        end
      end
      s = s + 6
    end
  end
  if trim_from ~= '0' then redis.call('PEXPIRE', mark, mark_ms) end
end

-- 2. The checks: every one must fit, then every one is charged.
local kinds, limits, amounts, spans, ends = {}, {}, {}, {}, {}
local used, resets, refused, fresh_period = {}, {}, {}, {}
local any_refused, retry = 0, 0
for i = 1, n do
  local b = checks + (i - 1) * 5
  local key, kind = KEYS[i], ARGV[b + 1]
  local limit, amount = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local span, ending = tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5])
  kinds[i], limits[i], amounts[i], spans[i], ends[i] = kind, limit, amount, span, ending
  local wait = nil
  if kind == 'c' or kind == 'w' then
    local freed, oldest = expire(key, span, kind == 'w')
    if kind == 'c' then
      used[i] = redis.call('ZCARD', key)
    else
      if freed ~= 0 then
        used[i] = redis.call('DECRBY', key .. ':sum', freed)
      else
        used[i] = tonumber(redis.call('GET', key .. ':sum') or '0')
      end
    end
    resets[i] = 0
    -- min(span, ...): another process may stamp its entry a moment after this `now` was read
    if oldest then resets[i] = math.min(span, oldest + span - now) end
    if used[i] + amount > limit then
      local need = used[i] + amount - limit
      wait = span
      if kind == 'c' then
        -- Room comes when the need-th oldest request leaves.
        local leaving = redis.call('ZRANGE', key, need - 1, need - 1, 'WITHSCORES')
        if #leaving > 0 then wait = math.min(span, tonumber(leaving[2]) + span - now) end
      else
        local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
        local left = 0
        for j = 1, #entries, 2 do
          left = left + amount_of(entries[j])
          if left >= need then
            wait = math.min(span, tonumber(entries[j + 1]) + span - now)
            break
          end
        end
      end
    end
  elseif kind == 'p' then
    local value = redis.call('GET', key)
    fresh_period[i] = not value
    used[i] = tonumber(value or '0')
    resets[i] = math.max(0, ending - now)
    if used[i] + amount > limit then wait = resets[i] end
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    used[i] = redis.call('ZCARD', key)
    resets[i] = 0
    if used[i] + amount > limit then wait = slot_retry end
  end
  refused[i] = 0
  if wait ~= nil then
    refused[i] = 1
    any_refused = 1
    if wait > retry then retry = wait end
  end
end
if any_refused == 0 and charge then
  for i = 1, n do
    local key, kind, amount, span = KEYS[i], kinds[i], amounts[i], spans[i]
    if kind == 'c' then
      if amount > 0 then
        redis.call('ZADD', key, now, member)
        keep(key, span, nil)
        if resets[i] == 0 then resets[i] = span end
      end
    elseif kind == 'w' then
      -- The amount as the caller wrote it: Lua would print a large number as 1e+15.
      redis.call('ZADD', key, now, member .. ':' .. ARGV[checks + (i - 1) * 5 + 3])
      redis.call('INCRBY', key .. ':sum', amount)
      keep(key, span, key .. ':sum')
      if resets[i] == 0 then resets[i] = span end
    elseif kind == 'p' then
      redis.call('INCRBY', key, amount)
      -- Its life is set when the period's counter starts. Relative to the caller's clock,
      -- as every time here: an absolute PEXPIREAT would compare it with Redis's own clock,
      -- and a skew (or a test's clock) could drop a budget that is still running.
      if fresh_period[i] then
        redis.call('PEXPIRE', key, math.max(0, ends[i] - now) + grace)
      end
    elseif amount > 0 then
      redis.call('ZADD', key, now + span, member)
      redis.call('PEXPIRE', key, span)
    end
    used[i] = used[i] + amount
  end
end
local out = {any_refused, retry}
for i = 1, n do
  out[#out + 1] = used[i]
  out[#out + 1] = resets[i]
  out[#out + 1] = refused[i]
end
return table.concat(out, ' ')
"""


class RedisCounters:
    def __init__(
        self,
        connection: RedisConnection,
        prefix: str,
        settle_delay_seconds: float = DEFAULT_DELAY_SECONDS,
    ) -> None:
        self._connection = connection
        self._prefix = prefix
        # This object's settlement batches are numbered; Redis keeps, under this mark, the
        # numbers it applied that this object may still send again.
        self._mark = f"{prefix}settled:{secrets.token_hex(8)}"
        self._sha = hashlib.sha1(_SCRIPT.encode()).hexdigest()
        self._settler = Settler(self._send, delay_seconds=settle_delay_seconds)
        # The mark is trimmed (and its life renewed) on the first batch and then every
        # TRIM_EVERY batches or TRIM_SECONDS, not on every call.
        self._since_trim, self._trimmed_at = TRIM_EVERY, 0.0

    @classmethod
    def connect(
        cls,
        url: str,
        prefix: str,
        timeout_seconds: float = 2.0,
        settle_delay_seconds: float = DEFAULT_DELAY_SECONDS,
    ) -> "RedisCounters":
        """Counters that connect on first use; `timeout_seconds` bounds each call."""
        return cls(RedisConnection(url, timeout_seconds), prefix, settle_delay_seconds)

    @property
    def settler(self) -> Settler:
        return self._settler

    async def admit(
        self, checks: Sequence[Check], member: str, now_ms: int, *, charge: bool = True
    ) -> Admission:
        if not charge:
            # A peek reads what this process has settled: wait for settlements on their way.
            await self._settler.settled()
        batches = self._settler.take()
        if not checks and not batches:
            return Admission(True, ())
        keys = [self._prefix + check.key for check in checks]
        call = self._settler.sending() if batches else 0
        try:
            reply = await self._call(
                keys, [now_ms, member, "1" if charge else "0"], checks, batches
            )
        except BaseException:  # unreachable, or the request cancelled: sent again, applied once
            self._settler.done(batches, ok=False)
            raise
        else:
            self._settler.done(batches, ok=True)
        finally:
            if call:
                self._settler.sent(call)
        values = [int(v) for v in reply.split()]
        numbers = iter(values[2:])
        states = tuple(
            CounterState(used, reset_ms, refused == 1)
            for used, reset_ms, refused in zip(numbers, numbers, numbers, strict=True)
        )
        return Admission(not values[0], states, values[1] if values[0] else 0)

    async def settle(self, settlements: Sequence[Settlement], member: str) -> None:
        """Queued, not sent: applied before this process's next call, and within the delay."""
        # A window or period reservation that was exactly right has nothing to change.
        changes = [
            item for item in settlements if item.kind == Kind.SLOTS or item.actual != item.reserved
        ]
        if changes:
            self._settler.add(changes, member)

    async def flush(self) -> None:
        """Sends the settlements waiting now (CountersUnavailable if Redis cannot take them)."""
        await self._settler.settled()
        await self._settler.flush()

    async def _send(self, batches: Sequence[Batch]) -> None:
        await self._call([], [0, "", "0"], (), batches)

    async def _call(
        self, keys: list[str], head: list[object], checks: Sequence[Check], batches: Sequence[Batch]
    ) -> bytes:
        args: list[object] = [
            *head,
            PERIOD_GRACE_MS,
            SLOT_RETRY_MS,
            self._mark,
            BATCH_MARK_MS,
            self._trim_from(batches),
            len(checks),
        ]
        for c in checks:  # a Kind is its own one-letter str
            args += (c.kind, c.limit, c.amount, c.span_ms, c.ends_at_ms)
        for batch in batches:
            args += (batch.seq, len(batch.items))
            for item, who in batch.items:
                args += (
                    item.kind,
                    item.reserved,
                    item.actual,
                    who,
                    item.actual - item.reserved,
                    item.at_ms,
                )
                keys.append(self._prefix + item.key)
        try:
            try:
                reply = await self._connection.call("EVALSHA", self._sha, len(keys), *keys, *args)
            except ReplyError as exc:
                if not str(exc).startswith("NOSCRIPT"):
                    raise
                # Redis restarted (or flushed its scripts) since it last ran this one.
                await self._connection.call("SCRIPT", "LOAD", _SCRIPT)
                reply = await self._connection.call("EVALSHA", self._sha, len(keys), *keys, *args)
        except RedisUnreachable as exc:
            raise CountersUnavailable(str(exc)) from exc
        return reply  # type: ignore[no-any-return]

    def _trim_from(self, batches: Sequence[Batch]) -> int:
        """The mark's numbers to drop from (those below), now and then; 0 for not this time."""
        if not batches:
            return 0
        self._since_trim += 1
        if self._since_trim < TRIM_EVERY and time.monotonic() - self._trimmed_at < TRIM_SECONDS:
            return 0
        self._since_trim, self._trimmed_at = 0, time.monotonic()
        return self._settler.unacknowledged_from()

    async def ping(self) -> None:
        try:
            await self._connection.call("PING")
        except RedisUnreachable as exc:
            raise CountersUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        """Sends the settlements still waiting (a graceful stop), then closes the client."""
        await self._settler.aclose()
        await self._connection.aclose()
