"""Units on kept greenlets behave as under SQLAlchemy's greenlet_spawn, and reuse them."""

import asyncio
import contextvars
import gc
import weakref

import greenlet
import pytest
from sqlalchemy.util import await_

from store.kept_greenlets import KeptGreenlets

REQUEST = contextvars.ContextVar("request", default="none")


def _adds_after_awaits(a: int, b: int) -> tuple[int, object]:
    first = await_(asyncio.sleep(0, result=a))
    second = await_(asyncio.sleep(0, result=b))
    return first + second, greenlet.getcurrent()


async def test_a_unit_awaits_and_returns_and_its_greenlet_is_used_again() -> None:
    runner = KeptGreenlets(keep=2)
    total, first = await runner.run(_adds_after_awaits, 2, b=3)
    assert total == 5 and runner.idle == 1
    total, second = await runner.run(_adds_after_awaits, 4, 5)
    assert total == 9 and second is first and runner.idle == 1


async def test_what_a_unit_raises_reaches_the_caller_and_the_greenlet_serves_on() -> None:
    runner = KeptGreenlets(keep=1)

    def fails() -> None:
        await_(asyncio.sleep(0))
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        await runner.run(fails)
    assert runner.idle == 1
    assert (await runner.run(_adds_after_awaits, 1, 1))[0] == 2


async def test_an_awaited_error_is_raised_inside_the_unit() -> None:
    runner = KeptGreenlets(keep=1)

    async def broken() -> None:
        raise ConnectionResetError("gone")

    def recovers() -> str:
        try:
            await_(broken())
        except ConnectionResetError as error:
            return f"handled {error}"
        return "not raised"

    assert await runner.run(recovers) == "handled gone"


async def test_a_cancelled_caller_cancels_the_unit_where_it_waits() -> None:
    runner = KeptGreenlets(keep=1)
    waiting = asyncio.Event()
    seen: list[str] = []

    def waits_forever() -> None:
        waiting.set()
        try:
            await_(asyncio.get_running_loop().create_future())
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    task = asyncio.ensure_future(runner.run(waits_forever))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled inside"]
    assert (await runner.run(_adds_after_awaits, 2, 2))[0] == 4


async def test_a_unit_sees_its_callers_context() -> None:
    runner = KeptGreenlets(keep=1)

    def reads() -> str:
        await_(asyncio.sleep(0))
        return REQUEST.get()

    async def caller(name: str) -> str:
        REQUEST.set(name)
        return await runner.run(reads)

    assert list(await asyncio.gather(caller("a"), caller("b"), caller("c"))) == ["a", "b", "c"]
    assert await runner.run(reads) == "none"


async def test_concurrent_units_each_get_their_own_and_only_keep_are_kept() -> None:
    runner = KeptGreenlets(keep=3)

    def slow(n: int) -> tuple[int, object]:
        for _ in range(3):
            await_(asyncio.sleep(0))
        return n, greenlet.getcurrent()

    results = await asyncio.gather(*(runner.run(slow, n) for n in range(10)))
    assert [n for n, _ in results] == list(range(10))
    assert len({id(worker) for _, worker in results}) == 10  # none shared while running
    assert runner.idle == 3


async def test_an_idle_greenlet_holds_nothing_of_the_unit_it_ran() -> None:
    runner = KeptGreenlets(keep=1)

    class Thing:
        pass

    def unit(argument: Thing) -> Thing:
        await_(asyncio.sleep(0))
        return Thing()

    argument = Thing()
    result = await runner.run(unit, argument)
    gone = [weakref.ref(argument), weakref.ref(result)]
    del argument, result
    gc.collect()
    assert runner.idle == 1
    assert [ref() for ref in gone] == [None, None]
