"""Concurrent reads of one kind, made as one statement: request coalescing.

On PostgreSQL a read's cost to this process is mostly its round trip (the
socket write that wakes the backend, the driver's protocol, the wake-up when
the answer comes), not the rows: measured on a listing of three
conversations, about a fifth of the request's CPU. Under load many such reads
wait at once (a listing found 2 to 8 others in flight when it started), so a
`Coalescer` sends the keys that are waiting as one batch, one statement, and
hands each caller its own part of the answer.

Freshness is that of a read of one's own: a batch is sent only after every
caller in it asked, so each sees at least what was committed before it asked
(the same answer as its own statement would have given, or a later one).
Callers asking for the same key while the batch has not been sent share one
answer. One batch is in flight at a time: keys that come meanwhile wait for
it to end and go in the next (at most `max_batch` keys a statement), which
is what makes batches grow with load. When nothing is in flight the caller
reads its own key itself, as it would without coalescing: an idle server
pays nothing for it (a batch sent by a task of its own cost a listing 0.2 ms
at one connection).

A batch that fails fails every caller in it with the same error (an outage
is an outage for all of them). A caller that is cancelled leaves the batch
to the others.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 64


class Coalescer(Generic[K, V]):
    """`await get(key)`: `read(keys)[key]`, read together with the keys asked meanwhile."""

    def __init__(
        self, read: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]], max_batch: int = MAX_BATCH
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self._read = read
        self._max_batch = max_batch
        self._waiting: dict[K, asyncio.Future[V]] = {}
        self._sender: asyncio.Task[None] | None = None
        self._reading_alone = False  # a caller is reading its own key (nothing was in flight)
        self.batches = 0  # reads made, alone or batched (tests read it)

    async def get(self, key: K) -> V:
        if not self._waiting and self._sender is None and not self._reading_alone:
            return await self._read_alone(key)
        answer = self._waiting.get(key)
        if answer is None:
            answer = self._waiting[key] = asyncio.get_running_loop().create_future()
            self._start_sender()
        # shield: callers of one key share its future; one cancelled leaves it to the rest
        return await asyncio.shield(answer)

    async def _read_alone(self, key: K) -> V:
        """Nothing in flight: this caller reads its own key, with no task or future between
        it and the read (an idle server pays nothing for coalescing); who asks meanwhile
        waits for the next batch, sent when this read ends."""
        self._reading_alone = True
        self.batches += 1
        try:
            found = await self._read([key])
        finally:
            self._reading_alone = False
            self._start_sender()
        return _part(found, key)

    def _start_sender(self) -> None:
        if self._waiting and self._sender is None and not self._reading_alone:
            # A task, not a caller: one caller cancelled must not cancel the batch, and
            # the keys asked in this same turn of the loop go with it.
            self._sender = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        try:
            while self._waiting:
                keys = list(self._waiting)[: self._max_batch]
                batch = {key: self._waiting.pop(key) for key in keys}
                self.batches += 1
                try:
                    found = await self._read(keys)
                except BaseException as exc:
                    for answer in batch.values():
                        if not answer.done():
                            answer.set_exception(exc)
                    if not isinstance(exc, Exception):  # cancelled: the loop is closing
                        for answer in self._waiting.values():
                            answer.set_exception(exc)
                        self._waiting.clear()
                        raise
                    continue
                for key, answer in batch.items():
                    if not answer.done():
                        try:
                            answer.set_result(_part(found, key))
                        except LookupError as missing:
                            answer.set_exception(missing)
        finally:
            self._sender = None


def _part(found: Mapping[K, V], key: K) -> V:
    """The caller's part of a batch's answer; a read that left its key out is a bug of the
    read, raised to that caller rather than answered with nothing."""
    if key not in found:
        raise LookupError(f"the batch read left out {key!r}")
    return found[key]
