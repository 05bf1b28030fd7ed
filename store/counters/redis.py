"""Counters in Redis, shared by every server process: one Lua script, one round trip per
call, so each admission (all its checks, then all its charges) is atomic across processes.

Keys, under the configured prefix:
- WINDOW `<key>`: a sorted set of `<member>:<amount>` scored by the time charged,
  and `<key>:sum`, the sum of its amounts (kept so a check costs O(expired), not O(entries));
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

The script's arguments and its answer are packed in a few strings rather than one
argument per number: the client's encoding and its parsing of a long reply
array cost more than the script itself.
"""

import hashlib
import logging
import secrets
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

# How long Redis remembers an applied settlement batch (longer than the settler retries one).
BATCH_MARK_MS = 3_600_000

# KEYS: the checks' keys, then one per settlement, in order.
# ARGV: now, member, charge ("1"/"0"), period grace ms, slot retry ms, this process's batch
#   mark, how long the mark lives (ms), then the checks: "kind limit amount span_ms ends_at_ms"
#   each, space-separated, then the settlements: per batch "seq count" and count times
#   "kind reserved actual member", then the lowest batch number not yet acknowledged.
# Returns one string: "refused retry_ms" then per check "used reset_ms refused".
_SCRIPT = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local charge = ARGV[3] == '1'
local grace, slot_retry = tonumber(ARGV[4]), tonumber(ARGV[5])
local function words(s)
  local t = {}
  for w in string.gmatch(s, '%S+') do t[#t + 1] = w end
  return t
end
local function amount_of(m) return tonumber(string.match(m, ':(%-?%d+)$')) end

local checks = words(ARGV[8])
local n = #checks / 5

-- 1. Settlements this process made since its last call: before any check sees the counters.
-- The mark is a set of this process's batch numbers applied and not yet acknowledged (numbers
-- below ARGV[10] were, and are dropped): a batch sent again after a call that got no answer
-- is not applied twice.
local spec = words(ARGV[9])
local s, k = 1, n
if #spec > 0 then
  redis.call('ZREMRANGEBYSCORE', ARGV[6], '-inf', '(' .. ARGV[10])
  while s <= #spec do
    local seq, count = spec[s], tonumber(spec[s + 1])
    s = s + 2
    local fresh = redis.call('ZADD', ARGV[6], 'NX', seq, seq) == 1
    for _ = 1, count do
      k = k + 1
      if fresh then
        local key, kind = KEYS[k], spec[s]
        local reserved, actual, who = tonumber(spec[s + 1]), tonumber(spec[s + 2]), spec[s + 3]
        if kind == 'c' then
          if actual == 0 then redis.call('ZREM', key, who) end
        elseif kind == 'w' then
          local old = who .. ':' .. spec[s + 1]
          local score = redis.call('ZSCORE', key, old)
          if score then
            redis.call('ZREM', key, old)
            redis.call('ZADD', key, score, who .. ':' .. spec[s + 2])
            redis.call('INCRBY', key .. ':sum', actual - reserved)
          end
        elseif kind == 'p' then
          -- A period whose counter is gone (it ended) is not started again by its settlement.
          local delta = actual - reserved
          if redis.call('INCRBY', key, delta) == delta then redis.call('DEL', key) end
        else
          redis.call('ZREM', key, who)
        end
      end
      s = s + 4
    end
  end
  redis.call('PEXPIRE', ARGV[6], ARGV[7])
end

-- 2. The checks: every one must fit, then every one is charged.
local kinds, limits, amounts, spans, ends = {}, {}, {}, {}, {}
local used, resets, refused, fresh_period = {}, {}, {}, {}
local any_refused, retry = 0, 0
for i = 1, n do
  local b = (i - 1) * 5
  local key, kind = KEYS[i], checks[b + 1]
  local limit, amount = tonumber(checks[b + 2]), tonumber(checks[b + 3])
  local span, ending = tonumber(checks[b + 4]), tonumber(checks[b + 5])
  kinds[i], limits[i], amounts[i], spans[i], ends[i] = kind, limit, amount, span, ending
  local wait = nil
  if kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
    used[i] = redis.call('ZCARD', key)
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    resets[i] = 0
    if #oldest > 0 then resets[i] = math.min(span, tonumber(oldest[2]) + span - now) end
    if used[i] + amount > limit then
      -- Room comes when the entry that leaves the count at limit - amount leaves.
      local at = used[i] + amount - limit - 1
      local leaving = redis.call('ZRANGE', key, at, at, 'WITHSCORES')
      wait = span
      if #leaving > 0 then wait = math.min(span, tonumber(leaving[2]) + span - now) end
    end
  elseif kind == 'w' then
    local sum_key = key .. ':sum'
    local expired = redis.call('ZRANGEBYSCORE', key, '-inf', now - span)
    if #expired > 0 then
      local freed = 0
      for _, m in ipairs(expired) do freed = freed + amount_of(m) end
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
      redis.call('DECRBY', sum_key, freed)
    end
    used[i] = tonumber(redis.call('GET', sum_key) or '0')
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    resets[i] = 0
    -- min(span, ...): another process may stamp its entry a moment after this `now` was read
    if #oldest > 0 then resets[i] = math.min(span, tonumber(oldest[2]) + span - now) end
    if used[i] + amount > limit then
      local need = used[i] + amount - limit
      wait = span
      local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + amount_of(entries[j])
        if freed >= need then
          wait = math.min(span, tonumber(entries[j + 1]) + span - now)
          break
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
        redis.call('PEXPIRE', key, span + 1000)
        if resets[i] == 0 then resets[i] = span end
      end
    elseif kind == 'w' then
      -- The amount as the caller wrote it: Lua would print a large number as 1e+15.
      redis.call('ZADD', key, now, member .. ':' .. checks[(i - 1) * 5 + 3])
      redis.call('INCRBY', key .. ':sum', amount)
      redis.call('PEXPIRE', key, span + 1000)
      redis.call('PEXPIRE', key .. ':sum', span + 1000)
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
        # This object's settlement batches are numbered; Redis keeps the last one applied.
        self._mark = f"{prefix}settled:{secrets.token_hex(8)}"
        self._sha = hashlib.sha1(_SCRIPT.encode()).hexdigest()
        self._settler = Settler(self._send, delay_seconds=settle_delay_seconds)

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
        spec = " ".join(
            f"{c.kind.value} {c.limit} {c.amount} {c.span_ms} {c.ends_at_ms}" for c in checks
        )
        keys = [self._prefix + check.key for check in checks]
        in_flight = self._settler.sending() if batches else None
        try:
            reply = await self._call(keys, [now_ms, member, "1" if charge else "0", spec], batches)
        except CountersUnavailable:
            self._settler.done(batches, ok=False)
            raise
        else:
            self._settler.done(batches, ok=True)
        finally:
            if in_flight is not None:
                in_flight.set_result(None)
        values = [int(v) for v in reply.split()]
        states = tuple(
            CounterState(values[i], values[i + 1], bool(values[i + 2]))
            for i in range(2, len(values), 3)
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
        await self._call([], [0, "", "0", ""], batches)

    async def _call(self, keys: list[str], head: list[object], batches: Sequence[Batch]) -> bytes:
        words: list[str] = []
        for batch in batches:
            words += (str(batch.seq), str(len(batch.items)))
            for pending in batch.items:
                item = pending.settlement
                words += (item.kind.value, str(item.reserved), str(item.actual), pending.member)
                keys.append(self._prefix + item.key)
        args = [
            *head[:3],
            PERIOD_GRACE_MS,
            SLOT_RETRY_MS,
            self._mark,
            BATCH_MARK_MS,
            head[3],
            " ".join(words),
            self._settler.unacknowledged_from(),
        ]
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

    async def ping(self) -> None:
        try:
            await self._connection.call("PING")
        except RedisUnreachable as exc:
            raise CountersUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        """Sends the settlements still waiting (a graceful stop), then closes the client."""
        await self._settler.aclose()
        await self._connection.aclose()
