"""Request coalescing (store.coalescing): concurrent keys read as one batch, each caller its
own answer; one batch in flight; failures and cancellations confined to who they concern."""

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from store.coalescing import Coalescer


class Reads:
    """A batch read that records its batches; `gate`, when set, holds each until opened."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.batches: list[list[str]] = []
        self.gate = gate
        self.started = asyncio.Event()
        self.fail_next: Exception | None = None

    async def __call__(self, keys: Sequence[str]) -> Mapping[str, str]:
        self.batches.append(list(keys))
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return {key: key.upper() for key in keys if key != "missing"}


async def test_keys_asked_together_go_in_one_batch_and_each_gets_its_own_answer() -> None:
    reads = Reads()
    coalescer = Coalescer(reads)
    answers = await asyncio.gather(*(coalescer.get(key) for key in ("a", "b", "a", "c")))
    assert answers == ["A", "B", "A", "C"]
    assert reads.batches == [["a", "b", "c"]]  # "a" read once for both who asked


async def test_keys_asked_while_a_batch_is_out_go_in_the_next_one() -> None:
    gate = asyncio.Event()
    reads = Reads(gate)
    coalescer = Coalescer(reads)
    first = asyncio.ensure_future(coalescer.get("a"))
    await reads.started.wait()  # the batch of "a" is out, not answered
    later = [asyncio.ensure_future(coalescer.get(key)) for key in ("a", "b", "c")]
    await asyncio.sleep(0)
    assert reads.batches == [["a"]]  # nothing sent beside the batch in flight
    gate.set()
    assert await first == "A"
    assert await asyncio.gather(*later) == ["A", "B", "C"]
    # "a" asked after its batch was sent is read again: an answer is never older than the ask
    assert reads.batches == [["a"], ["a", "b", "c"]]


async def test_batches_hold_at_most_max_batch_keys() -> None:
    reads = Reads()
    coalescer = Coalescer(reads, max_batch=2)
    assert await asyncio.gather(*(coalescer.get(key) for key in "abcde")) == list("ABCDE")
    assert reads.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_failed_batch_fails_its_callers_only() -> None:
    gate = asyncio.Event()
    reads = Reads(gate)
    coalescer = Coalescer(reads)
    reads.fail_next = ConnectionError("database down")
    failing = [asyncio.ensure_future(coalescer.get(key)) for key in ("a", "b")]
    await reads.started.wait()
    next_batch = asyncio.ensure_future(coalescer.get("c"))
    gate.set()
    for caller in failing:
        with pytest.raises(ConnectionError, match="database down"):
            await caller
    assert await next_batch == "C"
    assert await coalescer.get("a") == "A"  # and later ones are read anew


async def test_a_cancelled_caller_leaves_the_answer_to_the_others() -> None:
    gate = asyncio.Event()
    reads = Reads(gate)
    coalescer = Coalescer(reads)
    leaving = asyncio.ensure_future(coalescer.get("a"))
    staying = asyncio.ensure_future(coalescer.get("a"))
    await reads.started.wait()
    leaving.cancel()
    gate.set()
    assert await staying == "A"
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert reads.batches == [["a"]]


async def test_a_key_the_read_left_out_is_an_error_for_its_caller() -> None:
    coalescer = Coalescer(Reads())
    found, missing = await asyncio.gather(
        coalescer.get("b"), coalescer.get("missing"), return_exceptions=True
    )
    assert found == "B"
    assert isinstance(missing, LookupError)


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Coalescer(Reads(), max_batch=0)
