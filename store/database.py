"""The database handle: units of work, run whole, off the event loop or without blocking it.

Every database access is a *unit of work*: a plain function of a SQLAlchemy
`Connection` (store/ holds them) that the domain hands to `Database.read` or
`Database.write`. A unit runs from start to end in one go:

- SQLite (the embedded default): in one worker thread of this process
  (`_SqliteWorker`), which holds a pysqlite connection for reads and one for
  writes. A unit costs one hand-over to that thread and back, whatever number
  of statements it runs, and the event loop never blocks on the file. Writes
  start with `BEGIN IMMEDIATE`: a transaction that reads and then writes could
  otherwise fail at once with "database is locked" when another
  process wrote meanwhile (SQLite cannot upgrade its lock and will not wait);
  IMMEDIATE takes the write lock first, waiting up to the busy timeout.
- PostgreSQL (production): on the event loop, over asyncpg, through
  SQLAlchemy's greenlet bridge (`run_sync`): the unit's statements are plain
  calls that await the driver underneath. Reads run in autocommit, each
  statement on its own (no BEGIN/ROLLBACK round trips); writes in one
  transaction under READ COMMITTED, with row locks doing the rest.

A write commits when its unit returns and rolls back when it raises; the
exception reaches the caller as it was raised (an ApiError stays one). A unit
that is cancelled while it runs in a thread still runs to its end: a
cancelled caller does not know whether it committed.

Units are synchronous functions: they cannot await (no network call, no
sleeping) while they hold a connection, which keeps transactions short.
"""

import asyncio
import contextvars
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from store.compiled import OUTAGE_SQLSTATES
from store.driver_pool import DriverPool
from store.kept_greenlets import KeptGreenlets

log = logging.getLogger(__name__)

# How long a SQLite connection waits for another process's write lock, in ms.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL connections per engine (a process has two: reads and writes).
DEFAULT_POOL_SIZE = 15
# Of the reader's, those left to SQLAlchemy's pool when compiled-only units keep the others
# (store.driver_pool).
DIRECT_POOL_LEAVES = 2

P = ParamSpec("P")
T = TypeVar("T")
Unit = Callable[Concatenate[Connection, P], T]


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or lost the connection (a retry,
    or the same request later, may succeed), as opposed to a statement the database refused.

    Refused, reset or timed-out connections (the driver's own OSErrors), a pool with no
    connection free, a connection found dead (`connection_invalidated`: the pool hands
    the next attempt a fresh one), and the SQLSTATE classes of a server that is not
    there for us: 08 connection exception, 57P admin/crash shutdown
    (pg_terminate_backend, restart), 53 insufficient resources.
    """
    if isinstance(error, OSError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        ):
            return True
        original = error.orig
        cause = getattr(original, "__cause__", None)  # the driver's own exception
        state = str(getattr(cause, "sqlstate", "") or getattr(original, "sqlstate", "") or "")
        return state.startswith(OUTAGE_SQLSTATES) or isinstance(cause, OSError)
    return False


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the parent directory of a SQLite file (e.g. `var/`) so a fresh checkout starts."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return  # URI form (shared memory and the like): nothing on disk to prepare
    Path(database).parent.mkdir(parents=True, exist_ok=True)


class _SqliteWorker:
    """The thread that runs this process's SQLite units of work, one at a time, in order.

    One thread, not a pool: SQLite has one writer anyway, and a read costs tens of
    microseconds, far less than what threads contending for the interpreter would
    cost each other. The thread keeps one connection per engine (a reader in
    autocommit, a writer whose units are transactions) for as long as it lives, and
    runs each unit in the caller's context (request ids and trace spans follow it).
    Under load it stays busy and a hand-over costs a few microseconds; idle, a
    thread wake-up.
    """

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._connections: dict[Engine, Connection] = {}
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    async def run(
        self,
        engine: Engine,
        transaction: bool,
        unit: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        job = (engine, transaction, unit, args, kwargs)
        self._jobs.put((future, contextvars.copy_context(), job))
        return await future

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            future, context, work = job
            try:
                result = context.run(self._run, *work)
            except BaseException as exc:  # the caller's to handle, in its own thread
                _hand_back(future, _fail, exc)
            else:
                _hand_back(future, _succeed, result)
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _run(
        self,
        engine: Engine,
        transaction: bool,
        unit: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        connection = self._connections.get(engine)
        if connection is None:
            connection = self._connections[engine] = engine.connect()
        try:
            if transaction:
                with connection.begin():
                    return unit(connection, *args, **kwargs)
            try:
                return unit(connection, *args, **kwargs)
            finally:
                connection.rollback()  # ends SQLAlchemy's own bookkeeping; SQLite had none
        except BaseException:
            if connection.invalidated or connection.closed:
                del self._connections[engine]  # the next unit gets a fresh one
                connection.close()
            raise

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)


def share_one_cpu() -> None:
    """Keeps the calling thread on the CPU it runs on now; threads it starts from then on
    (the SQLite worker) inherit that.

    The event loop's thread and the SQLite worker never run Python at once (one
    interpreter lock), yet they hand it to each other around every SQLite call: the
    worker lets go of it while SQLite works, then waits for it back. On two CPUs each
    hand-over wakes a thread on the other CPU, with cold caches; measured here, a native
    turn cost 2.4 ms of CPU that way and 1.4 ms with both threads on one CPU, at 16
    requests at a time. Linux only (elsewhere nothing changes); config
    `sqlite_one_cpu: false` turns it off.
    """
    if not hasattr(os, "sched_setaffinity"):
        return
    allowed = os.sched_getaffinity(0)
    cpu = _current_cpu()
    if len(allowed) > 1 and cpu in allowed:
        os.sched_setaffinity(0, {cpu})  # pid 0: this thread (Linux sets threads' affinity)
        log.info("SQLite: the event loop and the database worker share CPU %d", cpu)


def _current_cpu() -> int | None:
    """The CPU this thread last ran on (field 39 of /proc/thread-self/stat), None if unknown."""
    try:
        stat = Path("/proc/thread-self/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[36]) if len(fields) > 36 else None


def _hand_back(future: asyncio.Future[Any], settle: Callable[..., None], value: Any) -> None:
    try:
        future.get_loop().call_soon_threadsafe(settle, future, value)
    except RuntimeError:  # the caller's loop is closed: nobody is waiting any more
        pass


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _sqlite_engine(url: URL, *, writer: bool) -> Engine:
    engine = create_engine(
        url.set(drivername="sqlite+pysqlite"),
        hide_parameters=True,  # see Database.connect
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # The worker thread holds its one connection of each engine.
        pool_size=1,
        max_overflow=0,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver: SQLAlchemy emits it (below), or nothing (reads).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.close()

    if writer:

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            # Straight to the driver: a statement through SQLAlchemy's execution machinery
            # would cost more than the BEGIN itself, once per write.
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


class Database:
    """One per process, built at start-up: `read(unit, ...)` and `write(unit, ...)`."""

    def __init__(
        self,
        writer: Engine,
        reader: Engine,
        *,
        async_engines: tuple[AsyncEngine, AsyncEngine] | None = None,
        one_cpu: bool = False,
        direct_pool_size: int = 0,
        pool_timeout: float | None = None,
        kept_greenlets: int = 2 * DEFAULT_POOL_SIZE,
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._async_engines = async_engines
        self._worker: _SqliteWorker | None = None
        # PostgreSQL's units, through SQLAlchemy or the driver pool, run on greenlets kept
        # between them (store.kept_greenlets); as many stay idle as both engines' pools could
        # run at once. SQLite's run on its worker thread.
        self._greenlets = KeptGreenlets(kept_greenlets if async_engines is not None else 0)
        self._direct: DriverPool | None = None
        if async_engines is not None and direct_pool_size > 0:
            self._direct = DriverPool(reader, direct_pool_size, pool_timeout, self._greenlets)
        if async_engines is None:  # SQLite
            if one_cpu:
                share_one_cpu()
            self._worker = _SqliteWorker("sqlite")
        self._discarded_at = 0.0

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        timeout_seconds: float | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        sqlite_one_cpu: bool = False,
        **engine_options: Any,
    ) -> "Database":
        """The database at `url` (sqlite+aiosqlite:///var/x.db or postgresql+asyncpg://...).

        No I/O happens until the first query; call `ping()` to check reachability.
        SQL parameters are never put in error messages (`hide_parameters`): they
        hold message texts and key hashes, and errors get logged. `timeout_seconds`
        (PostgreSQL) bounds connecting, waiting for a pooled connection and each
        statement, so an unreachable database fails a request instead of hanging it.
        `pool_size` (PostgreSQL): the connections each engine keeps, and never more: a pool
        that opened extra connections under load and closed them when they came back would
        pay a connection's start-up (a round trip, authentication, a backend process) on
        every burst; a request that finds all of them busy waits for one.
        `sqlite_one_cpu` (SQLite): keep the calling thread, the event loop's, and the worker
        thread on one CPU (see `share_one_cpu`); a server sets it, tests and tools do not.
        """
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            ensure_sqlite_directory(parsed)
            return cls(
                _sqlite_engine(parsed, writer=True),
                _sqlite_engine(parsed, writer=False),
                one_cpu=sqlite_one_cpu,
            )
        engine_options.setdefault("hide_parameters", True)
        engine_options.setdefault("pool_size", pool_size)
        engine_options.setdefault("max_overflow", 0)
        if timeout_seconds is not None:
            engine_options.setdefault("pool_timeout", timeout_seconds)
            engine_options.setdefault(
                "connect_args", {"timeout": timeout_seconds, "command_timeout": timeout_seconds}
            )
        # No pool_pre_ping: it costs a round trip per checkout; a dropped connection is
        # detected on use and the pool invalidated, failing one request, not every one.
        writer = create_async_engine(parsed, **engine_options)
        reader = create_async_engine(
            parsed, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **engine_options
        )
        return cls(
            writer.sync_engine,
            reader.sync_engine,
            async_engines=(writer, reader),
            # The reader's connections that compiled-only units may keep between them; the
            # rest stay in SQLAlchemy's pool for the other reads (none below 3).
            direct_pool_size=max(0, pool_size - DIRECT_POOL_LEAVES),
            pool_timeout=timeout_seconds,
            kept_greenlets=2 * pool_size,
        )

    @property
    def direct_pool(self) -> DriverPool | None:
        """The reader's connections lent to compiled-only units (PostgreSQL), if any."""
        return self._direct

    def engines(self) -> dict[str, Engine]:
        """The (synchronous) engines by role, `writer` and `reader`: pool metrics, traces."""
        return {"writer": self._writer, "reader": self._reader}

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._writer.dialect.name

    async def read(self, unit: Unit[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`unit(connection, *args)` for queries: each statement on its own (autocommit), so
        do not write through it; a unit that needs a consistent snapshot uses `write`."""
        if self._worker is not None:
            return await self._worker.run(self._reader, False, unit, args, kwargs)
        if self._direct is not None and self._may_go_direct(unit):
            return await self._direct.run(unit, args, kwargs)
        return await self._greenlets.run(_run_unit, self._reader, False, unit, args, kwargs)

    async def write(self, unit: Unit[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`unit(connection, *args)` in one transaction: committed when it returns, rolled
        back when it raises."""
        if self._worker is not None:
            return await self._worker.run(self._writer, True, unit, args, kwargs)
        return await self._greenlets.run(_run_unit, self._writer, True, unit, args, kwargs)

    async def write_statement(self, unit: Unit[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`unit(connection, *args)` for a change made in ONE statement, atomic by itself: on
        PostgreSQL in autocommit, without the two round trips of BEGIN and COMMIT; on SQLite
        a write like any other. The unit may also read (each read on its own)."""
        if self._worker is not None:
            return await self._worker.run(self._writer, True, unit, args, kwargs)
        if self._direct is not None and self._may_go_direct(unit):
            return await self._direct.run(unit, args, kwargs)
        return await self._greenlets.run(_run_unit, self._reader, False, unit, args, kwargs)

    def _may_go_direct(self, unit: Callable[..., Any]) -> bool:
        """A compiled-only unit, unless someone watches every statement (tracing's spans:
        they see statements run through SQLAlchemy only)."""
        watched = bool(self._reader.dispatch.before_cursor_execute)
        return getattr(unit, "compiled_only", False) and not watched

    async def ping(self) -> None:
        """Raises when the database does not answer a trivial query."""
        await self.read(_select_one)

    async def discard_connections(self) -> None:
        """Closes every idle pooled connection (after an outage: they may all be dead).

        SQLAlchemy invalidates a pool when one of its connections is found dead,
        but only that pool: the other engine would hand out one dead connection
        per request until each had failed once. Checked-out connections are left
        to their requests. At most once a second, however many requests fail at once.
        """
        now = time.monotonic()
        if now - self._discarded_at < 1.0:
            return
        self._discarded_at = now
        if self._direct is not None:
            self._direct.discard()
        if self._async_engines is not None:
            for engine in self._async_engines:
                await engine.dispose()
        # SQLite: a connection to a file does not die with an outage; one that SQLAlchemy
        # found broken is replaced by the worker at its next unit.

    async def close(self) -> None:
        if self._worker is not None:
            await asyncio.to_thread(self._worker.close)
        if self._direct is not None:
            self._direct.discard()
        if self._async_engines is not None:
            for engine in self._async_engines:
                await engine.dispose()
        else:
            self._writer.dispose()
            self._reader.dispose()


def _run_unit(
    engine: Engine,
    transaction: bool,
    unit: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> T:
    """One unit on a pooled connection (inside SQLAlchemy's greenlet, for the async driver)."""
    with engine.connect() as connection:
        if transaction:
            with connection.begin():
                return unit(connection, *args, **kwargs)
        return unit(connection, *args, **kwargs)


def _select_one(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))
