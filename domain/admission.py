"""Admission: a generation starts only if every limit that applies (key, user, model) has room.

`LimitGate.admit` builds one `Check` per limit (see store.counters), asks the
counters to charge all of them at once or none, and answers a `Ticket`; the
request's tokens are reserved from an estimate (prompt + the answer's
max_tokens) and `Ticket.settle` turns the reservation into the real usage
when the answer ends, however it ends. A refusal is RESOURCE_EXHAUSTED (8)
with `Retry-After` and google.rpc QuotaFailure / RetryInfo details; nothing
else happens for it (no message, no usage).
"""

import itertools
import logging
import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from domain.identity import Caller
from domain.limits import NO_LIMITS, Limits, LimitsConfig, from_store
from domain.observe import GenerationObserver, NoObserver
from domain.ttl_cache import TtlCache
from errors import ApiError, Code
from store import api_keys as api_key_repo
from store import user_limits as user_limits_repo
from store.counters import Admission, Check, Counters, CountersUnavailable, Kind, Settlement
from store.database import Database

log = logging.getLogger(__name__)

MINUTE_MS = 60_000
MICROS = 1_000_000
WINDOW, COUNT, PERIOD = Kind.WINDOW, Kind.COUNT, Kind.PERIOD
QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
# A stream's slot is leased for its generation timeout plus this (a crashed process's expire).
STREAM_LEASE_MARGIN_MS = 60_000


class _Limit(NamedTuple):
    """One limit of one scope, as a counter check."""

    scope: str  # apiKeys/{id}, users/{id}, models/{id}
    name: str  # the Limits field
    value: float  # as configured (currency for costs)
    check: Check
    # What the settled amount is, from (input tokens, output tokens); None: released (slots).
    actual: Callable[[int, int], int] | None


# What a planned check charges: one request, the tokens, the cost, a stream slot.
_REQUEST, _TOKENS, _COST, _SLOT = range(4)
PLAN_CACHE_SIZE = 10_000


class _Planned(NamedTuple):
    """A check that a scope's limits make, without its amount (that is the request's)."""

    name: str
    value: float
    key: str
    kind: Kind
    limit: int
    span_ms: int
    ends_at_ms: int
    amount: int  # _REQUEST, _TOKENS, _COST or _SLOT


@dataclass(frozen=True, slots=True)
class LimitStatus:
    """A limit that applies, and what is left of it now."""

    scope: str
    name: str
    value: float
    used: float
    remaining: float
    reset_ms: int


@dataclass
class Ticket:
    """An admitted request's reservations, settled once with what the answer used."""

    counters: Counters | None
    member: str
    limits: Sequence[_Limit] = ()
    admission: Admission | None = None
    settled: bool = False
    at_ms: int = 0  # when it was admitted, on the counters' clock

    async def settle(self, input_tokens: int, output_tokens: int) -> None:
        """Charges what was used instead of the estimate and releases the stream slot."""
        await self._settle(
            lambda limit: limit.actual(input_tokens, output_tokens) if limit.actual else 0
        )

    async def release(self) -> None:
        """Refunds everything: the request did not happen (e.g. its conversation was busy)."""
        await self._settle(lambda limit: 0)

    async def _settle(self, actual: Callable[[_Limit], int]) -> None:
        if self.settled or self.counters is None or not self.limits:
            self.settled = True
            return
        self.settled = True
        items = [
            Settlement(
                limit.check.key,
                limit.check.kind,
                limit.check.amount,
                max(0, actual(limit)),
                self.at_ms,
            )
            for limit in self.limits
        ]
        try:
            await self.counters.settle(items, self.member)
        except CountersUnavailable as exc:
            log.warning("limits: settling %s failed, counters unreachable: %s", self.member, exc)

    def rate_headers(self) -> dict[str, str]:
        """OpenAI's x-ratelimit-* headers for the tightest request and token limits."""
        return _rate_headers(self.limits, self.admission)


@dataclass
class LimitGate:
    """The limits of requests: where their values come from and where they are counted."""

    db: Database | None
    counters: Counters
    config: LimitsConfig = field(default_factory=LimitsConfig)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    stream_lease_ms: int = 360_000
    # Admissions let through while the counters could not be reached (fail-open).
    unavailable_admissions: int = 0
    # Told of each refusal, by the kind of limit that refused (the server's metrics).
    observer: GenerationObserver = field(default_factory=NoObserver)
    _keys: TtlCache[Limits] = field(init=False)
    _users: TtlCache[dict[str, Any] | None] = field(init=False)
    _plans: dict[tuple[object, ...], list["_Planned"]] = field(init=False, default_factory=dict)
    # A reservation's name in the counters: unique to this process, then numbered.
    _members: str = field(init=False, default_factory=lambda: secrets.token_hex(4))
    _member_numbers: Iterator[int] = field(init=False, default_factory=itertools.count)
    _today: tuple[date, tuple[str, int, str, int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._keys = TtlCache(self.config.cache_seconds)
        self._users = TtlCache(self.config.cache_seconds)

    # --- whose limits ----------------------------------------------------------------

    async def key_limits(self, key_id: str) -> Limits:
        async def load() -> Limits:
            if self.db is None:
                return NO_LIMITS
            return from_store(await self.db.read(api_key_repo.limits_of, key_id))

        return await self._keys.get_or_load(key_id, load)

    async def user_limits(self, user_id: str, role: str) -> Limits:
        """The user's own limits over its role's defaults."""

        async def load() -> dict[str, Any] | None:
            if self.db is None:
                return None
            return await self.db.read(user_limits_repo.limits_of, user_id)

        stored = await self._users.get_or_load(user_id, load)
        return from_store(stored).over(self.config.role_defaults(role))

    def forget(self, *, key_id: str = "", user_id: str = "") -> None:
        """This process's cache, after it changed limits itself (others wait out cache_seconds)."""
        if key_id:
            self._keys.drop(key_id)
        if user_id:
            self._users.drop(user_id)

    # --- admission -------------------------------------------------------------------

    async def allowed_model(self, caller: Caller, model_id: str) -> None:
        """PERMISSION_DENIED (7) when the key's allow-list does not name the model."""
        allowed = (await self.key_limits(caller.key_id)).models
        if allowed and model_id not in allowed:
            raise ApiError(
                Code.PERMISSION_DENIED,
                f"this API key may not use model {model_id!r} (allowed: {', '.join(allowed)})",
            )

    async def admit(
        self, caller: Caller, model_id: str, *, estimated_tokens: int, max_output: int, stream: bool
    ) -> Ticket:
        """Reserves the request against every limit, or raises RESOURCE_EXHAUSTED (8)."""
        await self.allowed_model(caller, model_id)
        limits = await self._limits(caller, model_id, estimated_tokens, max_output, stream)
        member = f"{self._members}{next(self._member_numbers):x}"
        if not limits:
            return Ticket(None, member)
        now_ms = _ms(self.clock())
        try:
            admission = await self.counters.admit([limit.check for limit in limits], member, now_ms)
        except CountersUnavailable as exc:
            if self.config.when_unavailable == "open":
                self.unavailable_admissions += 1
                log.warning("limits: counters unreachable, admitting without limits: %s", exc)
                return Ticket(None, member)
            log.error("limits: counters unreachable, refusing: %s", exc)
            raise ApiError(
                Code.UNAVAILABLE, "the limits cannot be checked right now; retry shortly"
            ) from None
        if not admission.admitted:
            refusal = _refusal(limits, admission)
            for limit, state in zip(limits, admission.states, strict=True):
                if state.refused:
                    self.observer.limit_refused(limit.name)
            raise refusal
        return Ticket(self.counters, member, limits, admission, at_ms=now_ms)

    async def status(self, caller: Caller, model_id: str) -> list[LimitStatus]:
        """Every limit on a caller's key, user and model, with what is left of it."""
        limits = await self._limits(caller, model_id, 0, 0, True, peek=True)
        if not limits:
            return []
        try:
            admission = await self.counters.admit(
                [limit.check for limit in limits], "peek", _ms(self.clock()), charge=False
            )
        except CountersUnavailable:
            raise ApiError(Code.UNAVAILABLE, "the limits' counters cannot be reached") from None
        out = []
        for limit, state in zip(limits, admission.states, strict=True):
            scale = MICROS if limit.name.startswith("cost_") else 1
            used = state.used / scale
            remaining = max(0.0, limit.value - used)
            out.append(
                LimitStatus(limit.scope, limit.name, limit.value, used, remaining, state.reset_ms)
            )
        return out

    async def _limits(
        self,
        caller: Caller,
        model_id: str,
        tokens: int,
        max_output: int,
        stream: bool,
        *,
        peek: bool = False,
    ) -> list[_Limit]:
        price = self.config.price(model_id)
        cost = price.cost_micros(max(0, tokens - max_output), max_output)
        calendar = self._calendar(self.clock())
        amounts = (1, tokens, cost, 0 if peek else 1)
        actuals = (_one, _tokens, price.cost_micros, None)
        out: list[_Limit] = []
        for scope, limits in (
            (f"apiKeys/{caller.key_id}", await self.key_limits(caller.key_id)),
            (f"users/{caller.user_id}", await self.user_limits(caller.user_id, caller.role)),
            (f"models/{model_id}", self.config.models.get(model_id, NO_LIMITS)),
        ):
            if limits is NO_LIMITS or limits.is_empty:
                continue
            for name, value, key, kind, limit, span, ends, amount in self._plan(
                scope, limits, calendar, stream or peek
            ):
                check = Check(key, kind, limit, amounts[amount], span, ends)
                out.append(_Limit(scope, name, value, check, actuals[amount]))
        return out

    def _calendar(self, moment: datetime) -> tuple[str, int, str, int]:
        """(day, when it ends, month, when it ends) of the moment, in UTC; kept for the day."""
        now = moment.astimezone(UTC)
        day = now.date()
        if self._today is None or self._today[0] != day:
            self._today = (
                day,
                (
                    now.strftime("%Y-%m-%d"),
                    _ms(_next_day(now)),
                    now.strftime("%Y-%m"),
                    _ms(_next_month(now)),
                ),
            )
        return self._today[1]

    def _plan(
        self, scope: str, limits: Limits, calendar: tuple[str, int, str, int], streams: bool
    ) -> list[_Planned]:
        """The checks one scope's limits make, but their amounts; kept while they hold."""
        cache_key = (scope, limits, calendar, streams)
        plan = self._plans.get(cache_key)
        if plan is not None:
            return plan
        day, day_end, month, month_end = calendar
        plan = []
        for name, kind, value, period, scale, amount in (
            ("requests_per_minute", COUNT, limits.requests_per_minute, None, 1, _REQUEST),
            ("tokens_per_minute", WINDOW, limits.tokens_per_minute, None, 1, _TOKENS),
            ("tokens_per_day", PERIOD, limits.tokens_per_day, (day, day_end), 1, _TOKENS),
            ("tokens_per_month", PERIOD, limits.tokens_per_month, (month, month_end), 1, _TOKENS),
            ("cost_per_day", PERIOD, limits.cost_per_day, (day, day_end), MICROS, _COST),
            ("cost_per_month", PERIOD, limits.cost_per_month, (month, month_end), MICROS, _COST),
        ):
            if value is None:
                continue
            key, ends = f"{scope}:{name}", 0
            if period is not None:
                key, ends = f"{key}:{period[0]}", period[1]
            # A cost limit counts millionths of the currency, rounded down: never above it.
            plan.append(
                _Planned(name, value, key, kind, int(value * scale), MINUTE_MS, ends, amount)
            )
        if limits.concurrent_streams is not None and streams:
            plan.append(
                _Planned(
                    "concurrent_streams",
                    limits.concurrent_streams,
                    f"{scope}:concurrent_streams",
                    Kind.SLOTS,
                    limits.concurrent_streams,
                    self.stream_lease_ms,
                    0,
                    _SLOT,
                )
            )
        if len(self._plans) >= PLAN_CACHE_SIZE:
            self._plans.clear()  # bounded; refilled as requests come
        self._plans[cache_key] = plan
        return plan


def _one(input_tokens: int, output_tokens: int) -> int:
    return 1


def _tokens(input_tokens: int, output_tokens: int) -> int:
    return input_tokens + output_tokens


def _refusal(limits: Sequence[_Limit], admission: Admission) -> ApiError:
    refused = [
        limit for limit, state in zip(limits, admission.states, strict=True) if state.refused
    ]
    retry_ms = max(admission.retry_after_ms, 1)
    seconds = math.ceil(retry_ms / 1000)
    first = refused[0]
    violations = [
        {"subject": limit.scope, "description": f"{limit.name}: {_number(limit.value)}"}
        for limit in refused
    ]
    error = ApiError(
        Code.RESOURCE_EXHAUSTED,
        f"{first.name} of {first.scope} ({_number(first.value)}) is reached; retry in {seconds} s",
        details=[
            {"@type": QUOTA_FAILURE, "violations": violations},
            {"@type": RETRY_INFO, "retryDelay": f"{retry_ms / 1000:.3f}s"},
        ],
        headers={"Retry-After": str(seconds), **_rate_headers(limits, admission)},
    )
    return error


_HEADER_OF = {"requests_per_minute": "requests", "tokens_per_minute": "tokens"}


def _rate_headers(limits: Sequence[_Limit], admission: Admission | None) -> dict[str, str]:
    if admission is None:
        return {}
    # Per header suffix: (remaining, limit, reset_ms) of the tightest limit of that kind.
    tightest: dict[str, tuple[int, int, int]] = {}
    for limit, state in zip(limits, admission.states, strict=True):
        suffix = _HEADER_OF.get(limit.name)
        if suffix is None:
            continue
        remaining = max(0, int(limit.value) - state.used)
        if suffix not in tightest or remaining < tightest[suffix][0]:
            tightest[suffix] = (remaining, int(limit.value), state.reset_ms)
    headers: dict[str, str] = {}
    for suffix in ("requests", "tokens"):
        if suffix in tightest:
            remaining, value, reset_ms = tightest[suffix]
            headers[f"x-ratelimit-limit-{suffix}"] = str(value)
            headers[f"x-ratelimit-remaining-{suffix}"] = str(remaining)
            headers[f"x-ratelimit-reset-{suffix}"] = duration(reset_ms)
    return headers


def duration(ms: int) -> str:
    """OpenAI's (Go's) duration spelling: `20ms`, `1.5s`, `6m0s`."""
    if ms < 1000:
        return f"{max(ms, 0)}ms"
    minutes, rest = divmod(ms, 60_000)
    seconds = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _next_day(now: datetime) -> datetime:
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def _next_month(now: datetime) -> datetime:
    if now.month == 12:
        return datetime(now.year + 1, 1, 1, tzinfo=UTC)
    return datetime(now.year, now.month + 1, 1, tzinfo=UTC)
