"""A small in-process cache whose values are read again once older than a bound, and whose
misses share one read: when an entry runs out under load, the requests in flight that want
it wait for one lookup instead of each making its own (at 50 connections, a limits entry
running out cost 50 database reads at once, and the p99 with them).

Interface: `await cache.get_or_load(key, load)`, `cache.drop(key)`.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self._seconds = seconds
        self._size = size
        self._items: dict[str, tuple[float, V]] = {}
        self._loading: dict[str, asyncio.Future[V]] = {}
        # Bumped by drop(): a lookup that started before a drop does not store what it read.
        self._generation = 0

    async def get_or_load(self, key: str, load: Callable[[], Awaitable[V]]) -> V:
        """The fresh value of `key`, or what `load()` reads (one read for every caller that
        misses meanwhile; a caller that is cancelled cancels no one else's)."""
        item = self._items.get(key)
        if item is not None and time.monotonic() - item[0] <= self._seconds:
            return item[1]
        pending = self._loading.get(key)
        if pending is None:
            pending = asyncio.ensure_future(load())
            self._loading[key] = pending
            generation = self._generation

            def loaded(done: asyncio.Future[V]) -> None:
                if self._loading.get(key) is done:
                    del self._loading[key]
                if done.cancelled() or done.exception() is not None:
                    return
                if generation == self._generation:
                    self._put(key, done.result())

            pending.add_done_callback(loaded)
        return await asyncio.shield(pending)

    def drop(self, key: str) -> None:
        """Forgets `key` (this process changed it): the next caller reads it again."""
        self._items.pop(key, None)
        self._loading.pop(key, None)
        self._generation += 1

    def _put(self, key: str, value: V) -> None:
        if len(self._items) >= self._size:
            self._items.clear()  # crude but bounded; refilled within one cache period
        self._items[key] = (time.monotonic(), value)
