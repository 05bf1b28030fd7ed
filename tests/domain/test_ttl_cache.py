"""The limits' cache: fresh values served, misses sharing one read, drops winning over reads
that started before them."""

import asyncio

import pytest

from domain.ttl_cache import TtlCache


class Store:
    """A value to read, and a gate the test opens to let reads finish."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0
        self.gate = asyncio.Event()

    async def read(self) -> str:
        self.reads += 1
        await self.gate.wait()
        return self.value


async def test_misses_in_flight_share_one_read() -> None:
    cache: TtlCache[str] = TtlCache(60)
    store = Store("v1")
    waiting = [asyncio.ensure_future(cache.get_or_load("k", store.read)) for _ in range(50)]
    await asyncio.sleep(0)
    store.gate.set()
    assert await asyncio.gather(*waiting) == ["v1"] * 50
    assert store.reads == 1
    assert await cache.get_or_load("k", store.read) == "v1" and store.reads == 1  # fresh


async def test_a_value_past_its_age_is_read_again() -> None:
    cache: TtlCache[str] = TtlCache(0)
    store = Store("v1")
    store.gate.set()
    assert await cache.get_or_load("k", store.read) == "v1"
    store.value = "v2"
    await asyncio.sleep(0.01)
    assert await cache.get_or_load("k", store.read) == "v2"
    assert store.reads == 2


async def test_a_read_that_started_before_a_drop_is_not_kept() -> None:
    cache: TtlCache[str] = TtlCache(60)
    store = Store("old")
    before = asyncio.ensure_future(cache.get_or_load("k", store.read))
    await asyncio.sleep(0)
    cache.drop("k")  # this process changed it meanwhile
    store.value = "new"
    store.gate.set()
    assert await before == "new"  # the read itself saw the change...
    assert await cache.get_or_load("k", store.read) == "new"
    assert store.reads == 2  # ...but was not kept: the next caller read again


async def test_a_cancelled_caller_leaves_the_read_to_the_others() -> None:
    cache: TtlCache[str] = TtlCache(60)
    store = Store("v1")
    first = asyncio.ensure_future(cache.get_or_load("k", store.read))
    second = asyncio.ensure_future(cache.get_or_load("k", store.read))
    await asyncio.sleep(0)
    first.cancel()
    store.gate.set()
    assert await second == "v1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert store.reads == 1


async def test_a_failed_read_is_not_kept() -> None:
    cache: TtlCache[str] = TtlCache(60)
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("database unreachable")
        return "v1"

    with pytest.raises(OSError):
        await cache.get_or_load("k", flaky)
    assert await cache.get_or_load("k", flaky) == "v1"
