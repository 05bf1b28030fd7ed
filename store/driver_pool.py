"""PostgreSQL connections kept out of SQLAlchemy's pool between units, for compiled-only units.

A unit of one indexed statement (a listing, a turn's reads, its settlement)
cost about 108 µs of CPU through SQLAlchemy on asyncpg, measured here: the
statement itself about 50, the greenlet bridge about 20, and SQLAlchemy's
pool checkout and check-in with the `Connection` around them about 30. A unit
marked `compiled_only` (store.compiled) needs none of the latter: this pool
lends it an asyncpg connection that stays checked out of the reader engine's
pool between units, wrapped in a `DriverConnection`; its statements still run
through the greenlet bridge (on greenlets kept between units: store.kept_greenlets), in
autocommit, each on its own.

The connections are SQLAlchemy's (opened and set up by the reader engine, so
types and codecs are the same); this pool keeps at most `size` of them, fewer
than the engine may open, so that units running through SQLAlchemy always find
one. A connection a statement found broken is invalidated (SQLAlchemy drops
it) and its place freed; a caller waiting longer than `timeout` for a free one
fails as SQLAlchemy's pool would (`sqlalchemy.exc.TimeoutError`, an outage for
`store.database.is_unavailable`).
"""

import asyncio
import collections
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from store.compiled import DriverConnection
from store.kept_greenlets import KeptGreenlets

T = TypeVar("T")


class DriverPool:
    def __init__(
        self, engine: Engine, size: int, timeout: float | None, greenlets: KeptGreenlets
    ) -> None:
        self._engine = engine
        self._size = size
        self._timeout = timeout
        self._idle: list[PoolProxiedConnection] = []
        self._greenlets = greenlets  # the database's, which its units run on
        self._open = 0  # connections this pool holds, idle or lent
        # Callers waiting: each future gets a connection, or None for "open one, a place
        # was freed".
        self._waiters: collections.deque[asyncio.Future[PoolProxiedConnection | None]] = (
            collections.deque()
        )
        # Metrics: told +1/-1 as connections become idle or lent, callers start or stop
        # waiting (the engine's checkout events count an idle one here as in use).
        self.on_idle: Callable[[int], None] | None = None
        self.on_waiting: Callable[[int], None] | None = None

    async def run(self, unit: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """`unit(connection, *args, **kwargs)` on a lent connection."""
        fairy = await self._take()
        connection = DriverConnection(
            self._engine.dialect, fairy.driver_connection, fairy.invalidate
        )
        try:
            return await self._greenlets.run(unit, connection, *args, **kwargs)
        finally:
            if connection.broken:
                self._forget()
            else:
                self._give(fairy)

    def discard(self) -> None:
        """Closes the idle connections (after an outage they may all be dead)."""
        idle, self._idle = self._idle, []
        for fairy in idle:
            self._open -= 1
            self._tell(self.on_idle, -1)
            fairy.invalidate()
        for _ in idle:
            self._wake_opener()

    # -- lending ------------------------------------------------------------------------

    async def _take(self) -> PoolProxiedConnection:
        if self._idle:
            self._tell(self.on_idle, -1)
            return self._idle.pop()
        if self._open < self._size:
            return await self._new()
        waiter: asyncio.Future[PoolProxiedConnection | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiters.append(waiter)
        self._tell(self.on_waiting, 1)
        try:
            async with asyncio.timeout(self._timeout):
                try:
                    fairy = await waiter
                except BaseException:
                    self._abandon(waiter)
                    raise
        except TimeoutError:
            raise sa_exc.TimeoutError(
                f"no database connection free within {self._timeout:g} s"
            ) from None
        finally:
            self._tell(self.on_waiting, -1)
        return fairy if fairy is not None else await self._new()

    def _abandon(self, waiter: "asyncio.Future[PoolProxiedConnection | None]") -> None:
        """A caller stopped waiting (timed out, cancelled): what it was handed goes on."""
        if not waiter.done():
            waiter.cancel()
        elif not waiter.cancelled():
            fairy = waiter.result()
            if fairy is None:
                self._wake_opener()  # the place it was to open a connection in
            else:
                self._give(fairy)
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    async def _new(self) -> PoolProxiedConnection:
        self._open += 1
        try:
            return await greenlet_spawn(self._engine.raw_connection)
        except BaseException:
            self._open -= 1
            self._wake_opener()
            raise

    def _give(self, fairy: PoolProxiedConnection) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(fairy)
                return
        self._idle.append(fairy)
        self._tell(self.on_idle, 1)

    def _forget(self) -> None:
        """A lent connection broke (invalidated, so SQLAlchemy dropped it): its place is free."""
        self._open -= 1
        self._wake_opener()

    def _wake_opener(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    @staticmethod
    def _tell(watcher: Callable[[int], None] | None, change: int) -> None:
        if watcher is not None:
            watcher(change)
