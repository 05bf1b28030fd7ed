"""Settlements held by this process and sent in batches, off the request path.

An answer that ends hands its settlement to `add()` (no I/O) and goes out at
once; the settlement goes to the counters with the next call this process
makes (an admission or a peek carries what is waiting, so this process always
sees its own settlements) or, when no call comes, by a background send within
`delay_seconds` (at once for a stream slot's release, which another process
may be waiting for).

Each send is a `Batch` with a number, and the counters apply a number at most
once (they keep the numbers applied from `unacknowledged_from()` on): a batch
whose send failed (the counters could not be reached, or did not answer in
time: it may or may not have been applied) is sent again with the same number
until it goes through, so a settlement is neither lost to a blip nor applied
twice. A batch still failing after GIVE_UP_SECONDS (10 minutes) is dropped
and logged; what that costs is bounded (see store.counters: windows slide,
leases expire, a period's counter ends with its period).

A graceful stop sends what is left (`aclose`). A process killed outright
(kill -9) loses what it had not sent: at most `delay_seconds` of settlements,
plus any batch that was failing.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from store.counters import CountersUnavailable, Kind, Settlement

log = logging.getLogger(__name__)

DEFAULT_DELAY_SECONDS = 0.1
# How long a failing batch is retried; the counters remember applied batch numbers longer.
GIVE_UP_SECONDS = 600.0
# After a failed send, the next background try waits this long (the counters are down).
RETRY_SECONDS = 1.0
# Settlements carried by one admission (it stays cheap); the background send takes more.
PER_ADMISSION = 64
PER_SEND = 1000
# Beyond this many waiting settlements (the counters down for long) the oldest are dropped.
MAX_WAITING = 100_000


class Pending(NamedTuple):
    settlement: Settlement
    member: str


@dataclass(frozen=True, slots=True)
class Batch:
    seq: int  # numbered in the order made, per settler
    items: tuple[Pending, ...]
    since: float  # monotonic time of its first send


Send = Callable[[Sequence[Batch]], Awaitable[None]]


class Settler:
    def __init__(self, send: Send, *, delay_seconds: float = DEFAULT_DELAY_SECONDS) -> None:
        if not 0 < delay_seconds <= 1:
            raise ValueError("the settlement delay must be > 0 and <= 1 s")
        self._send = send
        self._delay = delay_seconds
        self._waiting: list[Pending] = []
        self._failed: list[Batch] = []
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        # Calls carrying batches, by number; a future only once a peek waits for one.
        self._in_flight: dict[int, asyncio.Future[None] | None] = {}
        self._calls = 0
        self._unacknowledged: set[int] = set()  # numbers of batches taken and not yet done
        self._next_seq = 1
        self._closed = False

    @property
    def waiting(self) -> int:
        """Settlements waiting to be sent, or sent by a call that failed (to be sent again)."""
        return len(self._waiting) + sum(len(batch.items) for batch in self._failed)

    def add(self, settlements: Sequence[Settlement], member: str) -> None:
        """Queues one request's settlement; it reaches the counters within the delay."""
        if self._closed:  # an answer that ended after the graceful stop sent the last batch
            log.warning("limits: a settlement after shutdown was dropped (%s)", member)
            return
        self._waiting.extend(Pending(item, member) for item in settlements)
        if len(self._waiting) > MAX_WAITING:
            dropped = len(self._waiting) - MAX_WAITING
            del self._waiting[:dropped]
            log.error("limits: %d settlements dropped, the counters unreachable for long", dropped)
        urgent = any(item.kind == Kind.SLOTS for item in settlements)
        self._schedule(0 if urgent else self._delay)

    def take(self, limit: int = PER_ADMISSION) -> list[Batch]:
        """Batches for a call about to be made: failed ones again, then up to `limit` new ones.

        The caller reports how the call went with `done(batches, ok)`."""
        batches: list[Batch] = []
        now = time.monotonic()
        if self._failed:
            kept = []
            for batch in self._failed:
                if now - batch.since > GIVE_UP_SECONDS:
                    log.error("limits: a batch of %d settlements dropped", len(batch.items))
                else:
                    kept.append(batch)
            batches, self._failed = kept, []
        if self._waiting:
            items, self._waiting = self._waiting[:limit], self._waiting[limit:]
            batches.append(Batch(self._next_seq, tuple(items), now))
            self._next_seq += 1
        self._unacknowledged.update(batch.seq for batch in batches)
        return batches

    def unacknowledged_from(self) -> int:
        """The lowest batch number that may still be sent (again); all below are done with."""
        numbers = self._unacknowledged | {batch.seq for batch in self._failed}
        return min(numbers, default=self._next_seq)

    def done(self, batches: Sequence[Batch], ok: bool) -> None:
        self._unacknowledged.difference_update(batch.seq for batch in batches)
        if not ok and batches:
            self._failed.extend(batches)
            if not self._closed:
                self._schedule(RETRY_SECONDS)
        elif self._waiting or self._failed:
            self._schedule(self._delay)

    def sending(self) -> int:
        """Marks a call carrying batches as in flight; `sent()` with its number when it ends."""
        self._calls += 1
        self._in_flight[self._calls] = None
        return self._calls

    def sent(self, call: int) -> None:
        waiter = self._in_flight.pop(call, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def settled(self) -> None:
        """Waits for the calls already carrying settlements (a peek must see their effect)."""
        if not self._in_flight:
            return
        loop = asyncio.get_running_loop()
        waiters = []
        for call, waiter in self._in_flight.items():
            if waiter is None:
                waiter = self._in_flight[call] = loop.create_future()
            waiters.append(waiter)
        await asyncio.gather(*waiters)

    async def flush(self) -> None:
        """Sends everything waiting now; CountersUnavailable if the counters cannot take it."""
        for _ in range(1 + len(self._waiting) // PER_SEND + len(self._failed)):
            batches = self.take(PER_SEND)
            if not batches:
                return
            call = self.sending()
            try:
                await self._send(batches)
            except BaseException:
                self.done(batches, ok=False)
                raise
            else:
                self.done(batches, ok=True)
            finally:
                self.sent(call)

    async def aclose(self) -> None:
        """Stops the timer and sends what is left (a graceful stop loses nothing)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(Exception):
                await task
        await self.settled()
        try:
            await self.flush()
        except Exception as exc:
            log.error("limits: %d settlements not sent at shutdown: %s", self.waiting, exc)

    def _schedule(self, delay: float) -> None:
        if self._closed or self._task is not None:
            return  # the running send looks again when it ends
        if self._timer is not None:
            if delay > 0 or self._timer.when() <= asyncio.get_running_loop().time():
                return
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay, self._start)

    def _start(self) -> None:
        self._timer = None
        if (self._waiting or self._failed) and not self._closed and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._background())

    async def _background(self) -> None:
        try:
            await self.flush()
        except CountersUnavailable as exc:
            log.warning("limits: settlements not sent, retried shortly: %s", exc)
        except Exception:
            log.exception("limits: sending settlements failed; retried shortly")
        finally:
            self._task = None
            if self._failed:
                self._schedule(RETRY_SECONDS)
            elif self._waiting:
                self._schedule(self._delay)
