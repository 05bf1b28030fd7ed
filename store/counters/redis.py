"""Counters in Redis, shared by every server process: one Lua script per call, so each
admission (all its checks, then all its charges) is atomic across processes.

Keys, under the configured prefix:
- WINDOW `<key>`: a sorted set of `<member>:<amount>` scored by the time charged,
  and `<key>:sum`, the sum of its amounts (kept so a check costs O(expired), not O(entries));
- PERIOD `<key>`: an integer, expiring a while after its period ends;
- SLOTS `<key>`: a sorted set of members scored by the end of their lease.

Times come from the caller (the server's injectable clock), not from Redis's TIME,
so that tests can move a day forward; processes' clocks are assumed NTP-close.
All keys of one call are passed in KEYS except the `:sum` companions, which only
matters for Redis Cluster (one Redis, or Sentinel, is what this expects).
"""

import logging
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from store.counters import (
    PERIOD_GRACE_MS,
    SLOT_RETRY_MS,
    Admission,
    Check,
    CounterState,
    CountersUnavailable,
    Settlement,
)

log = logging.getLogger(__name__)

# ARGV: now, member, charge ("1"/"0"), then per check: kind, limit, amount, span_ms, ends_at_ms.
# Returns {refused (0/1), retry_ms, then per check: used, reset_ms, refused}.
_ADMIT = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local charge = ARGV[3] == '1'
local n = #KEYS
local kinds, limits, amounts, spans, ends = {}, {}, {}, {}, {}
local used, resets, refused = {}, {}, {}
local any_refused, retry = 0, 0
local function amount_of(m) return tonumber(string.match(m, ':(%-?%d+)$')) end
for i = 1, n do
  local b = 3 + (i - 1) * 5
  kinds[i] = ARGV[b + 1]
  limits[i] = tonumber(ARGV[b + 2])
  amounts[i] = tonumber(ARGV[b + 3])
  spans[i] = tonumber(ARGV[b + 4])
  ends[i] = tonumber(ARGV[b + 5])
  local key, kind, amount, span = KEYS[i], kinds[i], amounts[i], spans[i]
  local wait = nil
  if kind == 'w' then
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
    if used[i] + amount > limits[i] then
      local need = used[i] + amount - limits[i]
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
    used[i] = tonumber(redis.call('GET', key) or '0')
    resets[i] = math.max(0, ends[i] - now)
    if used[i] + amount > limits[i] then wait = resets[i] end
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    used[i] = redis.call('ZCARD', key)
    resets[i] = 0
    if used[i] + amount > limits[i] then wait = tonumber(ARGV[#ARGV]) end
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
    if kind == 'w' then
      redis.call('ZADD', key, now, member .. ':' .. ARGV[3 + (i - 1) * 5 + 3])
      redis.call('INCRBY', key .. ':sum', amount)
      redis.call('PEXPIRE', key, span + 1000)
      redis.call('PEXPIRE', key .. ':sum', span + 1000)
      if resets[i] == 0 then resets[i] = span end
    elseif kind == 'p' then
      redis.call('INCRBY', key, amount)
      -- Relative to the caller's clock, as every time here: an absolute PEXPIREAT would
      -- compare it with Redis's own clock, and a skew (or a test's clock) could drop a
      -- budget that is still running.
      redis.call('PEXPIRE', key, math.max(0, ends[i] - now) + tonumber(ARGV[#ARGV - 1]))
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
return out
"""

# ARGV: member, then per settlement: kind, reserved, actual.
_SETTLE = """
local member = ARGV[1]
for i = 1, #KEYS do
  local b = 1 + (i - 1) * 3
  local kind, reserved, actual = ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local key = KEYS[i]
  if kind == 'w' then
    local old = member .. ':' .. ARGV[b + 2]
    local score = redis.call('ZSCORE', key, old)
    if score then
      redis.call('ZREM', key, old)
      redis.call('ZADD', key, score, member .. ':' .. ARGV[b + 3])
      redis.call('INCRBY', key .. ':sum', actual - reserved)
    end
  elseif kind == 'p' then
    if redis.call('EXISTS', key) == 1 then
      redis.call('INCRBY', key, actual - reserved)
    end
  else
    redis.call('ZREM', key, member)
  end
end
return 1
"""

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisCounters:
    def __init__(self, client: "aioredis.Redis", prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._admit = client.register_script(_ADMIT)
        self._settle = client.register_script(_SETTLE)

    @classmethod
    def connect(
        cls, url: str, prefix: str, timeout_seconds: float = 2.0, max_connections: int = 64
    ) -> "RedisCounters":
        """A client that connects on first use; `timeout_seconds` bounds each call."""
        # A blocking pool: a burst of requests waits (up to the timeout) for one of a bounded
        # set of connections instead of opening one each or failing.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            # Waiting for a pooled connection is load, not an outage: a longer bound.
            timeout=max(timeout_seconds * 5, 10.0),
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            health_check_interval=30,
        )
        return cls(aioredis.Redis(connection_pool=pool), prefix)

    async def admit(
        self, checks: Sequence[Check], member: str, now_ms: int, *, charge: bool = True
    ) -> Admission:
        if not checks:
            return Admission(True, ())
        args: list[Any] = [now_ms, member, "1" if charge else "0"]
        for check in checks:
            args += [check.kind.value, check.limit, check.amount, check.span_ms, check.ends_at_ms]
        args += [PERIOD_GRACE_MS, SLOT_RETRY_MS]
        keys = [self._prefix + check.key for check in checks]
        try:
            out = await self._admit(keys=keys, args=args)
        except _UNREACHABLE as exc:
            raise CountersUnavailable(str(exc)) from exc
        values = [int(v) for v in out]
        states = tuple(
            CounterState(values[i], values[i + 1], bool(values[i + 2]))
            for i in range(2, len(values), 3)
        )
        return Admission(not values[0], states, values[1] if values[0] else 0)

    async def settle(self, settlements: Sequence[Settlement], member: str) -> None:
        if not settlements:
            return
        args: list[Any] = [member]
        for item in settlements:
            args += [item.kind.value, item.reserved, item.actual]
        keys = [self._prefix + item.key for item in settlements]
        try:
            await self._settle(keys=keys, args=args)
        except _UNREACHABLE as exc:
            raise CountersUnavailable(str(exc)) from exc

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except _UNREACHABLE as exc:
            raise CountersUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        await self._client.aclose()
