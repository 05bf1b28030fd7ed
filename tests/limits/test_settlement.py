"""Settlements off the request path (Redis counters): queued, carried by this process's next
call, sent within the delay otherwise, applied once however often they are sent, and sent
on a graceful stop. The Redis is the tests' own (tests/limits/conftest.py)."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator

import pytest

from store.counters import Check, Kind, Settlement
from store.counters.redis import RedisCounters
from tests.limits.conftest import RedisProcess

MINUTE = 60_000
T0 = 1_800_000_000_000
WAIT_SECONDS = 10  # bound of the polling loops below; the delay promised is 0.1 s


def tokens(amount: int) -> Check:
    return Check("k:tpm", Kind.WINDOW, 1000, amount, MINUTE)


def budget(amount: int) -> Check:
    return Check("k:tpd", Kind.PERIOD, 1000, amount, 0, T0 + 3_600_000)


def streams(amount: int) -> Check:
    return Check("k:streams", Kind.SLOTS, 1, amount, 300_000)


def settled(reserved: int, actual: int) -> list[Settlement]:
    return [
        Settlement("k:tpm", Kind.WINDOW, reserved, actual),
        Settlement("k:tpd", Kind.PERIOD, reserved, actual),
    ]


@pytest.fixture
async def pair(redis_server: RedisProcess) -> AsyncIterator[tuple[RedisCounters, RedisCounters]]:
    """Two processes' counters on one Redis (same prefix)."""
    prefix = f"s{secrets.token_hex(4)}:"
    one = RedisCounters.connect(redis_server.url, prefix)
    other = RedisCounters.connect(redis_server.url, prefix)
    yield one, other
    await one.aclose()
    await other.aclose()


async def used(counters: RedisCounters) -> tuple[int, int]:
    """(tokens in the window, tokens in the budget) as `counters` sees them now."""
    peek = await counters.admit([tokens(0), budget(0)], "peek", T0, charge=False)
    return peek.states[0].used, peek.states[1].used


async def test_a_settlement_waits_for_no_round_trip_and_this_process_sees_it_at_once(
    pair: tuple[RedisCounters, RedisCounters],
) -> None:
    one, _ = pair
    assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
    await one.settle(settled(600, 100), "a")
    assert one.settler.waiting == 2  # queued, not sent: the answer did not wait for Redis
    # This process's next call carries it: its own read sees what was used, not the estimate.
    assert await used(one) == (100, 100)
    assert one.settler.waiting == 0


async def test_another_process_sees_a_settlement_within_the_delay(
    pair: tuple[RedisCounters, RedisCounters],
) -> None:
    one, other = pair
    assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
    await one.settle(settled(600, 100), "a")
    deadline = time.monotonic() + WAIT_SECONDS
    seen = await used(other)
    while seen != (100, 100) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        seen = await used(other)
    assert seen == (100, 100)


async def test_a_stream_slot_released_is_sent_at_once(redis_server: RedisProcess) -> None:
    """Another process may be waiting for the slot: its release does not wait for the delay
    (1 s here) nor for this process's next call."""
    prefix = f"s{secrets.token_hex(4)}:"
    one = RedisCounters.connect(redis_server.url, prefix, settle_delay_seconds=1.0)
    other = RedisCounters.connect(redis_server.url, prefix)
    try:
        assert (await one.admit([streams(1)], "s1", T0)).admitted
        assert not (await other.admit([streams(1)], "s2", T0)).admitted
        await one.settle([Settlement("k:streams", Kind.SLOTS, 1, 0)], "s1")
        for _ in range(100):  # the send starts within a few turns of the event loop
            if not one.settler.waiting:
                break
            await asyncio.sleep(0)
        assert one.settler.waiting == 0
        await one.settler.settled()
        assert (await other.admit([streams(1)], "s2", T0)).admitted
    finally:
        await one.aclose()
        await other.aclose()


async def test_a_batch_sent_again_after_an_unanswered_call_is_applied_once(
    pair: tuple[RedisCounters, RedisCounters],
) -> None:
    one, other = pair
    assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
    await one.settle(settled(600, 100), "a")
    # The call reached Redis but its answer was lost (a timeout, a dropped connection): the
    # settler cannot know it was applied and sends the batch again.
    batches = one.settler.take()
    await one._send(batches)
    one.settler.done(batches, ok=False)
    await one.flush()
    assert one.settler.waiting == 0
    assert await used(other) == (100, 100)  # once, not 600 - 2 * 500


async def test_a_graceful_stop_sends_what_is_waiting(redis_server: RedisProcess) -> None:
    prefix = f"s{secrets.token_hex(4)}:"
    one = RedisCounters.connect(redis_server.url, prefix)
    other = RedisCounters.connect(redis_server.url, prefix)
    try:
        assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
        await one.settle(settled(600, 100), "a")
        await one.aclose()
        assert await used(other) == (100, 100)
    finally:
        await other.aclose()


@pytest.mark.usefixtures("redis_server")  # skips (or fails) without redis-server
async def test_settlements_wait_out_an_unreachable_redis_and_are_sent_when_it_answers() -> None:
    server = RedisProcess()
    server.start()
    prefix = f"s{secrets.token_hex(4)}:"
    one = RedisCounters.connect(server.url, prefix, timeout_seconds=1)
    try:
        assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
        server.stop()
        await one.settle(settled(600, 100), "a")
        with pytest.raises(Exception, match="Redis"):
            await one.flush()
        assert one.settler.waiting == 2  # kept, not lost
        server.start()  # empty (--save ''): what matters is that the batch goes through
        await one.flush()
        assert one.settler.waiting == 0
    finally:
        await one.aclose()
        server.stop()


async def test_a_call_cancelled_while_carrying_a_batch_leaves_it_applied_once(
    pair: tuple[RedisCounters, RedisCounters],
) -> None:
    """A request whose client left while its admission was at Redis: the settlements that
    call carried may or may not have been applied; they are sent again, and count once."""
    one, other = pair
    assert (await one.admit([tokens(600), budget(600)], "a", T0)).admitted
    await one.settle(settled(600, 100), "a")
    call = asyncio.create_task(one.admit([tokens(1)], "b", T0))
    await asyncio.sleep(0)  # it has taken the batch and written it
    assert one.settler.waiting == 0
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert one.settler.waiting == 2  # to be sent again
    await one.flush()
    assert one.settler.waiting == 0
    # 600 - 500 once in each; the window also holds the cancelled call's own reservation
    # (1 token: it reached Redis, and nobody learnt it was admitted), until it slides out.
    assert await used(other) == (101, 100)


async def test_a_settled_reservation_keeps_its_place_and_takes_the_amount_used(
    pair: tuple[RedisCounters, RedisCounters], redis_server: RedisProcess
) -> None:
    import redis as redis_client

    one, _ = pair
    assert (await one.admit([tokens(600)], "a", T0)).admitted
    await one.settle([Settlement("k:tpm", Kind.WINDOW, 600, 100, at_ms=T0)], "a")
    await one.flush()
    client = redis_client.Redis(port=redis_server.port)
    try:
        # One entry per request, the amount used in place of the estimate: a busy key's window
        # holds as many entries as requests, not twice as many.
        window = client.zrange(f"{one._prefix}k:tpm", 0, -1, withscores=True)
        assert window == [(b"a:100", float(T0))]
    finally:
        client.close()
    # It leaves the window when the reservation would have.
    late = await one.admit([tokens(0)], "peek", T0 + MINUTE - 1, charge=False)
    assert late.states[0].used == 100
    gone = await one.admit([tokens(0)], "peek", T0 + MINUTE + 1, charge=False)
    assert gone.states[0].used == 0
    # A settlement for a reservation already out of the window changes nothing.
    await one.settle([Settlement("k:tpm", Kind.WINDOW, 600, 5, at_ms=T0)], "a")
    after = await one.admit([tokens(0)], "peek", T0 + MINUTE + 2, charge=False)
    assert after.states[0].used == 0
