"""Concurrent statements of one kind, made as one: request coalescing and group commit.

On PostgreSQL a statement's cost to this process is mostly its round trip
(the socket write that wakes the backend, the driver's protocol, the wake-up
when the answer comes), not its rows: measured on a listing of three
conversations, about a fifth of the request's CPU. Under load many statements
of one kind wait at once (a listing found 2 to 8 others in flight when it
started; a turn's settlement about 3), so a `Batcher` sends the items that
are waiting as one batch, one statement, and hands each caller its own part
of the answer. For writes this is a group commit: one statement, one commit
and one WAL flush for the batch.

- `Batcher[T, R]`: `await submit(item)` is `run(items)[i]` for the batch its
  item went in. `run` answers each item, or `Failed(error)` for an item that
  alone failed (a batched write falls back to one statement per item when the
  batch is refused, so one bad item does not fail the others).
- `Coalescer[K, V]`: reads by key, `await get(key)` is `read(keys)[key]`;
  callers asking for a key already waiting share its answer.

Freshness is that of a statement of one's own: a batch is sent only after
every caller in it asked, so each sees at least what was committed before it
asked. One batch is in flight at a time: items that come meanwhile wait for
it to end and go in the next (at most `max_batch` a statement), which is
what makes batches grow with load. When nothing is in flight the caller runs
its own item itself, as it would without batching: an idle server pays
nothing for it (a batch sent by a task of its own cost a listing 0.2 ms at
one connection).

A batch whose `run` raises fails every caller in it with the same error (an
outage is an outage for all of them). A caller that is cancelled leaves the
batch to the others; its item, once sent, is still run.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 64


@dataclass(frozen=True, slots=True)
class Failed:
    """What `run` answers for an item that failed on its own: raised to that item's caller."""

    error: Exception


class Batcher(Generic[T, R]):
    """`await submit(item)`: `run(items)[i]`, run together with the items submitted meanwhile.

    `key`: items with equal keys that wait together are run once and share the answer
    (a read); None: every item is run (a write).
    """

    def __init__(
        self,
        run: Callable[[Sequence[T]], Awaitable[Sequence[R | Failed]]],
        max_batch: int = MAX_BATCH,
        *,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self._run = run
        self._max_batch = max_batch
        self._key = key
        # Items waiting for the next batch, each with its answer to come (by key, or by a
        # number of its own when items are not shared).
        self._waiting: dict[Hashable, tuple[T, asyncio.Future[R]]] = {}
        self._numbered = 0
        self._sender: asyncio.Task[None] | None = None
        self._running_alone = False  # a caller is running its own item (nothing was in flight)
        self.batches = 0  # statements made, alone or batched (tests read it)

    async def submit(self, item: T) -> R:
        if not self._waiting and self._sender is None and not self._running_alone:
            return await self._run_alone(item)
        if self._key is not None:
            key = self._key(item)
            waiting = self._waiting.get(key)
            if waiting is not None:
                # shield: callers of one key share its future; one cancelled leaves it to the rest
                return await asyncio.shield(waiting[1])
        else:
            key = self._numbered = self._numbered + 1
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting[key] = (item, answer)
        self._start_sender()
        return await asyncio.shield(answer)

    async def _run_alone(self, item: T) -> R:
        """Nothing in flight: this caller runs its own item, with no task or future between
        it and the statement (an idle server pays nothing for batching); who submits
        meanwhile waits for the next batch, sent when this one ends."""
        self._running_alone = True
        self.batches += 1
        try:
            (answer,) = await self._run([item])
        finally:
            self._running_alone = False
            self._start_sender()
        if isinstance(answer, Failed):
            raise answer.error
        return answer

    def _start_sender(self) -> None:
        if self._waiting and self._sender is None and not self._running_alone:
            # A task, not a caller: one caller cancelled must not cancel the batch, and
            # the items submitted in this same turn of the loop go with it.
            self._sender = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        try:
            while self._waiting:
                keys = list(self._waiting)[: self._max_batch]
                batch = [self._waiting.pop(key) for key in keys]
                self.batches += 1
                try:
                    answers = await self._run([item for item, _ in batch])
                except BaseException as exc:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(exc)
                    if not isinstance(exc, Exception):  # cancelled: the loop is closing
                        for _, answer in self._waiting.values():
                            answer.set_exception(exc)
                        self._waiting.clear()
                        raise
                    continue
                for (_, answer), outcome in zip(batch, answers, strict=True):
                    if answer.done():
                        continue
                    if isinstance(outcome, Failed):
                        answer.set_exception(outcome.error)
                    else:
                        answer.set_result(outcome)
        finally:
            self._sender = None


class Coalescer(Batcher[K, V]):
    """`await get(key)`: `read(keys)[key]`, read together with the keys asked meanwhile."""

    def __init__(
        self, read: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]], max_batch: int = MAX_BATCH
    ) -> None:
        async def run(keys: Sequence[K]) -> list[V | Failed]:
            found = await read(keys)
            return [_part(found, key) for key in keys]

        super().__init__(run, max_batch, key=lambda key: key)

    async def get(self, key: K) -> V:
        return await self.submit(key)


def _part(found: Mapping[K, V], key: K) -> V | Failed:
    """The caller's part of a batch's answer; a read that left its key out is a bug of the
    read, raised to that caller rather than answered with nothing."""
    if key not in found:
        return Failed(LookupError(f"the batch read left out {key!r}"))
    return found[key]
