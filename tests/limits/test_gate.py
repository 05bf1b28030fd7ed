"""Admission through LimitGate: budgets over an injectable clock, cost, and Redis going away."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from domain.admission import LimitGate
from domain.identity import Caller
from domain.limits import Limits, LimitsConfig, Price
from errors import ApiError, Code
from store.counters import Counters
from store.counters.memory import MemoryCounters
from store.counters.redis import RedisCounters
from tests.conftest import free_port
from tests.limits.conftest import RedisProcess


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def gate(
    counters: Counters, clock: Clock, when_unavailable: str = "closed", **limits: object
) -> LimitGate:
    config = LimitsConfig(
        roles={"user": Limits(**limits)},  # type: ignore[arg-type]
        prices={"echo": Price(input_per_million=1_000.0, output_per_million=2_000.0)},
        when_unavailable=when_unavailable,
    )
    return LimitGate(None, counters, config, clock=clock)


def caller() -> Caller:
    return Caller(user_id=f"u-{secrets.token_hex(4)}", role="user", key_id="k1")


async def admit(g: LimitGate, who: Caller, tokens: int, max_output: int = 100):  # type: ignore[no-untyped-def]
    return await g.admit(who, "echo", estimated_tokens=tokens, max_output=max_output, stream=False)


def refused(error: pytest.ExceptionInfo[ApiError]) -> dict[str, object]:
    assert error.value.code == Code.RESOURCE_EXHAUSTED
    return {"headers": error.value.headers, "details": error.value.details}


async def test_a_daily_token_budget_refuses_the_crossing_request_and_reopens_the_next_day(
    counters: Counters,
) -> None:
    clock = Clock()
    g, who = gate(counters, clock, tokens_per_day=1000), caller()
    ticket = await admit(g, who, 600)
    await ticket.settle(300, 300)
    await (await admit(g, who, 400)).settle(200, 200)  # 1000 used: exactly the budget
    with pytest.raises(ApiError) as error:
        await admit(g, who, 10)
    out = refused(error)
    # 23:00 -> midnight: one hour.
    assert out["headers"]["Retry-After"] == "3600"  # type: ignore[index]
    quota, retry = error.value.details
    assert quota["violations"] == [
        {"subject": f"users/{who.user_id}", "description": "tokens_per_day: 1000"}
    ]
    assert retry == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3600.000s"}
    clock.now += timedelta(hours=1)
    await admit(g, who, 600)


async def test_a_cost_budget_counts_the_models_price(counters: Counters) -> None:
    clock = Clock()
    # echo costs 0.001 per input token and 0.002 per output token here.
    g, who = gate(counters, clock, cost_per_day=1.0), caller()
    await (await admit(g, who, 400, max_output=100)).settle(300, 100)  # 0.3 + 0.2 = 0.5
    await (await admit(g, who, 300, max_output=100)).settle(200, 100)  # 0.2 + 0.2: 0.9 in all
    with pytest.raises(ApiError) as error:
        await admit(g, who, 150, max_output=100)  # 0.05 + 0.2 would cross 1.0
    assert refused(error)["details"][0]["violations"][0]["description"] == "cost_per_day: 1"  # type: ignore[index]
    clock.now += timedelta(days=1)
    await admit(g, who, 150, max_output=100)


async def test_a_failed_answer_settles_what_it_used() -> None:
    g, who = gate(MemoryCounters(), Clock(), tokens_per_minute=1000), caller()
    ticket = await admit(g, who, 900)
    with pytest.raises(ApiError):
        await admit(g, who, 900)
    await ticket.settle(50, 0)  # the upstream failed after reading the prompt
    await admit(g, who, 900)


async def test_redis_on_a_closed_port_fails_closed_by_default_or_open_when_configured() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    closed = gate(RedisCounters.connect(url, "x:"), Clock(), requests_per_minute=5)
    with pytest.raises(ApiError) as error:
        await admit(closed, caller(), 10)
    assert error.value.code == Code.UNAVAILABLE
    opened = gate(RedisCounters.connect(url, "x:"), Clock(), "open", requests_per_minute=5)
    ticket = await admit(opened, caller(), 10)
    await ticket.settle(5, 5)
    assert opened.unavailable_admissions == 1


async def test_a_redis_that_stops_and_restarts() -> None:
    server = RedisProcess()
    server.start()
    try:
        closed = gate(RedisCounters.connect(server.url, "r:"), Clock(), requests_per_minute=2)
        opened = gate(
            RedisCounters.connect(server.url, "r:"), Clock(), "open", requests_per_minute=2
        )
        who = caller()
        await admit(closed, who, 10)
        server.stop()
        with pytest.raises(ApiError) as error:
            await admit(closed, who, 10)
        assert error.value.code == Code.UNAVAILABLE
        await admit(opened, who, 10)
        assert opened.unavailable_admissions == 1
        server.start()  # empty (--save ''): the window starts again, and holds again
        await admit(closed, who, 10)
        await admit(closed, who, 10)
        with pytest.raises(ApiError) as error:
            await admit(closed, who, 10)
        assert error.value.code == Code.RESOURCE_EXHAUSTED
    finally:
        server.stop()
