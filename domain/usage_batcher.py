"""Usage of the OpenAI door, summed in memory and written in batches instead of one
transaction per request.

A completion adds to an in-memory counter per (day, user, model); within
`flush_seconds` (config `usage_flush_seconds`, at most 1 s, default 0.5 s)
of the first addition, one transaction adds every counter to `usage_daily`
with the same race-free upsert a single request would use, so N processes
on one database still add up. A graceful stop (the app's lifespan calling
`aclose()`) writes what is left; a process killed outright (kill -9, power
loss) loses what it had not written yet: at most the last `flush_seconds`
of its OpenAI-door usage. A failed write is kept and retried with the next
batch. `flush()` writes now: GetUsage calls it so a process reads its own
usage at once.

Native turns do not come here: their usage is written in the transaction
that settles the answer (domain.turns), which exists anyway.

Interface: `add(...)` (no I/O, never blocks), `await flush()`, `await aclose()`.
"""

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from store import usage as repo
from store.clock import utc_now
from store.database import Database

log = logging.getLogger(__name__)

MAX_FLUSH_SECONDS = 1.0
DEFAULT_FLUSH_SECONDS = 0.5


@dataclass(slots=True)
class _Counts:
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_micros: int = 0


_Key = tuple[date, str, str]  # (day, user_id, model)


class UsageBatcher:
    def __init__(
        self,
        db: Database,
        *,
        flush_seconds: float = DEFAULT_FLUSH_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if not 0 < flush_seconds <= MAX_FLUSH_SECONDS:
            raise ValueError(f"the usage flush interval must be > 0 and <= {MAX_FLUSH_SECONDS:g} s")
        self._db = db
        self._flush_seconds = flush_seconds
        self._clock = clock
        self._pending: dict[_Key, _Counts] = {}
        self._lock = asyncio.Lock()  # one write at a time: a failed batch is merged back whole
        self._writes: set[asyncio.Future[None]] = set()  # in flight, awaited by aclose()
        self._flusher: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def flush_seconds(self) -> float:
        return self._flush_seconds

    @property
    def closed(self) -> bool:
        """After `aclose()`: usage must be written directly (usage.record)."""
        return self._closed

    def add(
        self,
        *,
        user_id: str,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cost_micros: int = 0,
    ) -> None:
        """Counts one generation (failed ones too); written within `flush_seconds`."""
        if self._closed:
            raise RuntimeError("usage batcher is closed")
        key = (self._clock().date(), user_id, model)
        counts = self._pending.get(key)
        if counts is None:
            counts = self._pending[key] = _Counts()
        counts.requests += 1
        counts.input_tokens += max(0, input_tokens)
        counts.output_tokens += max(0, output_tokens)
        counts.cost_micros += max(0, cost_micros)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def flush(self) -> None:
        """Writes every pending counter in one transaction; on failure they stay pending."""
        async with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            rows = [
                (day, user_id, model, c.requests, c.input_tokens, c.output_tokens, c.cost_micros)
                for (day, user_id, model), c in sorted(batch.items())
            ]
            # Its own task, shielded: a flush whose caller is cancelled (a GetUsage client
            # gone) still ends, and only a write that did not commit is merged back.
            write = asyncio.ensure_future(self._db.write(repo.add_many, rows))
            self._writes.add(write)
            write.add_done_callback(functools.partial(self._written, batch))
            await asyncio.shield(write)

    def _written(self, batch: dict[_Key, _Counts], write: "asyncio.Future[None]") -> None:
        self._writes.discard(write)
        if write.cancelled() or write.exception() is not None:
            self._merge_back(batch)

    async def aclose(self) -> None:
        """Stops the timer and writes what is left (the graceful stop loses nothing)."""
        self._closed = True
        flusher, self._flusher = self._flusher, None
        if flusher is not None:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
        if self._writes:  # a flush whose caller was cancelled: its write goes on
            await asyncio.wait(set(self._writes))
        try:
            await self.flush()
        except Exception:
            lost = sum(c.requests for c in self._pending.values())
            log.exception("usage of %d requests could not be written at shutdown", lost)

    async def _flush_soon(self) -> None:
        """One batch: waits out the window from its first addition, then writes it."""
        try:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception:
                log.exception("writing a usage batch failed; retried with the next one")
        finally:
            if self._flusher is asyncio.current_task():
                self._flusher = None
            if self._pending and not self._closed and self._flusher is None:
                self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    def _merge_back(self, batch: dict[_Key, _Counts]) -> None:
        for key, counts in batch.items():
            pending = self._pending.setdefault(key, _Counts())
            pending.requests += counts.requests
            pending.input_tokens += counts.input_tokens
            pending.output_tokens += counts.output_tokens
            pending.cost_micros += counts.cost_micros
