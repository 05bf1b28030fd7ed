"""The database handle: engines, sessions, and the SQLite transaction fix-ups.

Two engines per database:

- writes: one transaction per `write()` block. On SQLite it starts with
  `BEGIN IMMEDIATE`: a transaction that reads and then writes could otherwise
  fail at once with "database is locked" when another connection wrote
  meanwhile (SQLite cannot upgrade its lock and will not wait); IMMEDIATE
  takes the write lock first, waiting up to the busy timeout. On PostgreSQL,
  row locks and READ COMMITTED do the job.
- reads: autocommit, each statement on its own. Every read here is a single
  statement or tolerates a change between two (they are re-checked under the
  write transaction where it matters), and skipping BEGIN/ROLLBACK saves two
  round trips per request: the API key lookup of every request costs about
  a third as much (measured: ~0.26 ms instead of ~0.7 ms on PostgreSQL).
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# How long a SQLite connection waits for another process's write lock, in ms.
SQLITE_BUSY_TIMEOUT_MS = 10_000


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
        return state.startswith(_OUTAGE_SQLSTATES) or isinstance(cause, OSError)
    return False


_OUTAGE_SQLSTATES = ("08", "57P", "53")


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the parent directory of a SQLite file (e.g. `var/`) so a fresh checkout starts."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return  # URI form (shared memory and the like): nothing on disk to prepare
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: URL, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        url,
        hide_parameters=True,  # see Database.connect
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # Readers never open a transaction, so there is nothing to roll back on check-in.
        pool_reset_on_return="rollback" if writer else None,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver: SQLAlchemy emits it (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.close()

    if writer:

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """One per process, built at start-up; `read()` and `write()` hand out sessions."""

    def __init__(self, writer: AsyncEngine, reader: AsyncEngine) -> None:
        self._writer = writer
        self._reader = reader
        self._write_sessions = async_sessionmaker(writer, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self._reader, expire_on_commit=False)
        self._discarded_at = 0.0

    @classmethod
    async def connect(
        cls, url: str, *, timeout_seconds: float | None = None, **engine_options: Any
    ) -> "Database":
        """Engines for `url` (sqlite+aiosqlite:///var/x.db or postgresql+asyncpg://...).

        No I/O happens until the first query; call `ping()` to check reachability.
        SQL parameters are never put in error messages (`hide_parameters`): they
        hold message texts and key hashes, and errors get logged. `timeout_seconds`
        (PostgreSQL) bounds connecting, waiting for a pooled connection and each
        statement, so an unreachable database fails a request instead of hanging it.
        """
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            ensure_sqlite_directory(parsed)
            return cls(_sqlite_engine(parsed, writer=True), _sqlite_engine(parsed, writer=False))
        engine_options.setdefault("hide_parameters", True)
        if timeout_seconds is not None:
            engine_options.setdefault("pool_timeout", timeout_seconds)
            engine_options.setdefault(
                "connect_args", {"timeout": timeout_seconds, "command_timeout": timeout_seconds}
            )
        # No pool_pre_ping: it costs a round trip per checkout; a dropped connection is
        # detected on use and the pool invalidated, failing one request, not every one.
        reader_options: dict[str, Any] = {
            "isolation_level": "AUTOCOMMIT",
            "pool_reset_on_return": None,
            **engine_options,
        }
        return cls(
            create_async_engine(parsed, **engine_options),
            create_async_engine(parsed, **reader_options),
        )

    def engines(self) -> dict[str, AsyncEngine]:
        """The engines by role (`writer`, `reader`), for pool metrics."""
        return {"writer": self._writer, "reader": self._reader}

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._writer.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries (autocommit: do not write through it)."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def query(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for hot single-statement reads (no ORM objects built)."""
        async with self._reader.connect() as connection:
            yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raises when the database does not answer a trivial query."""
        async with self._reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

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
        for engine in (self._writer, self._reader):
            await engine.dispose()

    async def close(self) -> None:
        await self._writer.dispose()
        await self._reader.dispose()
