"""Request coalescing and batched writes (store.coalescing): keys asked while a read is in flight
are read as one batch, each caller its own answer; one batch in flight; an idle coalescer reads
a caller's key at once; failures and cancellations confined to who they concern. A Batcher of
writes runs every item, equal or not, and an item that fails alone fails only its caller."""

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from store.coalescing import Batcher, Coalescer, Failed


class Reads:
    """A batch read that records its batches; `gate`, when set, holds each until opened."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.batches: list[list[str]] = []
        self.gate = gate
        self.started = asyncio.Event()
        self.failing: set[str] = set()  # a batch holding one of these fails (once)

    async def __call__(self, keys: Sequence[str]) -> Mapping[str, str]:
        self.batches.append(list(keys))
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        else:
            await asyncio.sleep(0)  # a read is I/O: it lets others run before it answers
        if self.failing & set(keys):
            self.failing -= set(keys)
            raise ConnectionError("database down")
        return {key: key.upper() for key in keys if key != "missing"}


async def _one_read_out(
    key: str,
) -> tuple[asyncio.Event, Reads, Coalescer[str, str], asyncio.Future[str]]:
    """A coalescer whose read of `key` is out and held until the gate opens."""
    gate = asyncio.Event()
    reads = Reads(gate)
    coalescer = Coalescer(reads)
    first = asyncio.ensure_future(coalescer.get(key))
    await reads.started.wait()
    return gate, reads, coalescer, first


async def test_an_idle_coalescer_reads_at_once_and_what_comes_meanwhile_goes_in_one_batch() -> None:
    reads = Reads()
    coalescer = Coalescer(reads)
    answers = await asyncio.gather(*(coalescer.get(key) for key in ("a", "b", "a", "c", "b")))
    assert answers == ["A", "B", "A", "C", "B"]
    # "a" read at once, by its caller; the rest while it was out, together, "b" once for both
    assert reads.batches == [["a"], ["b", "a", "c"]]


async def test_keys_asked_while_a_batch_is_out_go_in_the_next_one() -> None:
    gate, reads, coalescer, first = await _one_read_out("a")  # the read of "a" is out, not answered
    later = [asyncio.ensure_future(coalescer.get(key)) for key in ("a", "b", "c")]
    await asyncio.sleep(0)
    assert reads.batches == [["a"]]  # nothing sent beside the read in flight
    gate.set()
    assert await first == "A"
    assert await asyncio.gather(*later) == ["A", "B", "C"]
    # "a" asked after its read was sent is read again: an answer is never older than the ask
    assert reads.batches == [["a"], ["a", "b", "c"]]


async def test_batches_hold_at_most_max_batch_keys() -> None:
    reads = Reads()
    coalescer = Coalescer(reads, max_batch=2)
    assert await asyncio.gather(*(coalescer.get(key) for key in "abcdef")) == list("ABCDEF")
    assert reads.batches == [["a"], ["b", "c"], ["d", "e"], ["f"]]


async def test_a_failed_batch_fails_its_callers_only() -> None:
    gate, reads, coalescer, first = await _one_read_out("x")
    reads.failing = {"a"}
    failing = [asyncio.ensure_future(coalescer.get(key)) for key in ("a", "b")]
    gate.set()
    assert await first == "X"
    for caller in failing:
        with pytest.raises(ConnectionError, match="database down"):
            await caller
    assert await coalescer.get("a") == "A"  # and later ones are read anew
    assert reads.batches == [["x"], ["a", "b"], ["a"]]


async def test_a_cancelled_caller_leaves_the_answer_to_the_others() -> None:
    gate, reads, coalescer, first = await _one_read_out("x")
    leaving = asyncio.ensure_future(coalescer.get("a"))
    staying = asyncio.ensure_future(coalescer.get("a"))
    await asyncio.sleep(0)
    leaving.cancel()
    gate.set()
    assert await staying == "A"
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert await first == "X"
    assert reads.batches == [["x"], ["a"]]


async def test_a_cancelled_lone_read_still_sends_what_was_asked_meanwhile() -> None:
    gate, reads, coalescer, alone = await _one_read_out("a")
    waiting = asyncio.ensure_future(coalescer.get("b"))
    await asyncio.sleep(0)
    alone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await alone
    gate.set()
    assert await waiting == "B"
    assert reads.batches == [["a"], ["b"]]


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


class Writes:
    """A batch write that records its batches: each item answered by its length, an item
    "bad" failed alone, and the first batch held until `gate` opens."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = asyncio.Event()

    async def __call__(self, items: Sequence[str]) -> list[int | Failed]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            await self.gate.wait()
        return [Failed(ValueError(item)) if item == "bad" else len(item) for item in items]


async def test_a_batcher_runs_every_item_and_fails_only_the_one_at_fault() -> None:
    writes = Writes()
    batcher: Batcher[str, int] = Batcher(writes)
    first = asyncio.ensure_future(batcher.submit("first"))
    await asyncio.sleep(0)
    later = [asyncio.ensure_future(batcher.submit(item)) for item in ("aa", "aa", "bad", "b")]
    await asyncio.sleep(0)
    writes.gate.set()
    assert await first == 5
    answers = await asyncio.gather(*later, return_exceptions=True)
    assert answers[:2] == [2, 2] and answers[3] == 1
    assert isinstance(answers[2], ValueError) and str(answers[2]) == "bad"
    # Equal items are two writes: nothing is shared without a key.
    assert writes.batches == [["first"], ["aa", "aa", "bad", "b"]]


async def test_an_item_that_fails_alone_on_an_idle_batcher_raises_to_its_caller() -> None:
    writes = Writes()
    writes.gate.set()
    batcher: Batcher[str, int] = Batcher(writes)
    with pytest.raises(ValueError, match="bad"):
        await batcher.submit("bad")
    assert await batcher.submit("ok") == 2
