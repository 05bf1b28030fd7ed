"""Compiled-only units on PostgreSQL run on connections of their own pool (store.driver_pool):
the same answers, outages seen as outages, no connection lost to a cancelled or timed-out
wait, and tracing still sees every statement."""

import asyncio
import secrets
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, event, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.util import await_

from store import conversations
from store.compiled import Compiled, compiled_only
from store.database import Database, is_unavailable
from store.tables import api_keys
from tests.store.db_fixtures import _admin, conversation_row

pytestmark = pytest.mark.postgres

PROBE = Compiled(select(api_keys.c.id).where(api_keys.c.id == bindparam("id")))


@compiled_only
def _probe(connection: Connection) -> list[tuple[Any, ...]]:
    return PROBE.rows(connection, {"id": "nope"})


def _checkouts(db: Database) -> list[int]:
    """Counts the reader engine's checkouts from SQLAlchemy's pool from now on."""
    seen: list[int] = []
    event.listen(db.engines()["reader"], "checkout", lambda *_: seen.append(1))
    return seen


async def _backends(database: str, application: str) -> int:
    """Connections to `database` open now under the application name `application`."""
    import asyncpg

    connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            database,
            application,
        )
        return count
    finally:
        await connection.close()


async def test_a_listing_keeps_its_connection_between_units(postgres_url: str) -> None:
    db = await Database.connect(postgres_url)
    try:
        row = conversation_row("c-direct", user="dora")
        await db.write(conversations.insert, row)
        first = await db.read(conversations.list_page, "dora", None, 10)
        checkouts = _checkouts(db)
        for _ in range(20):
            assert await db.read(conversations.list_page, "dora", None, 10) == first
        assert [found.id for found in first] == ["c-direct"]
        assert checkouts == []  # none of the 20 went through SQLAlchemy's pool
        # A unit not marked compiled-only still does.
        await db.read(lambda c: PROBE.rows(c, {"id": "nope"}))
        assert checkouts == [1]
    finally:
        await db.close()


async def test_concurrent_units_share_a_bounded_number_of_connections(postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    application = f"pool-{secrets.token_hex(3)}"  # this test's connections only
    db = await Database.connect(
        postgres_url,
        pool_size=4,  # 2 of the reader's lent to compiled-only units
        connect_args={"server_settings": {"application_name": application}},
    )
    try:
        answers = await asyncio.gather(*(db.read(_probe) for _ in range(50)))
        assert answers == [[]] * 50
        assert 1 <= await _backends(database, application) <= 4
    finally:
        await db.close()


async def test_a_cut_connection_is_an_outage_and_the_pool_recovers(postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    db = await Database.connect(postgres_url)
    try:
        assert await db.read(_probe) == []
        await _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        with pytest.raises(sa_exc.DBAPIError) as cut:
            await db.read(_probe)
        assert is_unavailable(cut.value)
        for _ in range(5):  # the dead connection was dropped, a new one opened
            assert await db.read(_probe) == []
    finally:
        await db.close()


async def test_waiting_longer_than_the_timeout_is_an_outage_and_loses_nothing(
    postgres_url: str,
) -> None:
    db = await Database.connect(postgres_url, pool_size=3, timeout_seconds=1)  # 1 lent
    pool = db.direct_pool
    assert pool is not None
    held = asyncio.Event()
    release = asyncio.Event()

    @compiled_only
    def hold(connection: Connection) -> None:
        PROBE.rows(connection, {"id": "nope"})
        held.set()
        await_(release.wait())  # the unit keeps its connection until told (a test only)

    try:
        holder = asyncio.ensure_future(db.read(hold))
        await held.wait()
        with pytest.raises(sa_exc.TimeoutError) as waited:
            await db.read(_probe)
        assert is_unavailable(waited.value)
        cancelled = asyncio.ensure_future(db.read(_probe))
        await asyncio.sleep(0)  # it waits for the one connection
        cancelled.cancel()
        release.set()
        await holder
        # The one connection went back: nothing was lost to the timeout or the cancel.
        assert await asyncio.gather(*(db.read(_probe) for _ in range(5))) == [[]] * 5
    finally:
        release.set()
        await db.close()


async def test_a_compiled_only_unit_that_runs_other_sql_says_so(postgres_url: str) -> None:
    @compiled_only
    def wrong(connection: Connection) -> Any:
        return connection.execute(select(api_keys.c.id))

    db = await Database.connect(postgres_url)
    try:
        with pytest.raises(TypeError, match="compiled_only"):
            await db.read(wrong)
        assert await db.read(_probe) == []  # and the connection is still good
    finally:
        await db.close()


async def test_traced_statements_go_through_sqlalchemy(postgres_url: str) -> None:
    db = await Database.connect(postgres_url)
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    try:
        event.listen(db.engines()["reader"], "before_cursor_execute", watch)
        assert await db.read(_probe) == []
        assert len(seen) == 1 and "api_keys" in seen[0]
    finally:
        await db.close()


async def test_the_pool_gauges_count_only_connections_lent_out(postgres_url: str) -> None:
    from server import metrics

    name = f"reader-{secrets.token_hex(3)}"
    db = await Database.connect(postgres_url)
    pool = db.direct_pool
    assert pool is not None
    metrics.instrument_pool(name, db.engines()["reader"])
    metrics.instrument_direct_pool(name, pool)
    in_use = metrics.DB_POOL_IN_USE.labels(name)
    held, release = asyncio.Event(), asyncio.Event()

    @compiled_only
    def hold(connection: Connection) -> None:
        PROBE.rows(connection, {"id": "nope"})
        held.set()
        await_(release.wait())

    try:
        await asyncio.gather(*(db.read(_probe) for _ in range(10)))
        assert in_use._value.get() == 0  # kept for the next unit, but not in use
        holder = asyncio.ensure_future(db.read(hold))
        await held.wait()
        assert in_use._value.get() == 1
        release.set()
        await holder
        assert in_use._value.get() == 0
    finally:
        release.set()
        await db.close()
