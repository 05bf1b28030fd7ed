"""Database fixtures for store and domain tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL tests are marked `postgres`: skipped when 127.0.0.1:5432 does not
answer, failed when REQUIRE_SERVICES=1 (CI). Each test session gets its own
database (`test_h3_<random>`), migrated once, emptied between tests and
dropped at the end; the `test` database itself is only used to create it.
"""

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from store.database import Database
from store.migrations import upgrade_to_head
from tests.conftest import require_service

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"
TABLES = (
    "messages",
    "conversations",
    "api_keys",
    "usage_daily",
    "user_limits",
    "user_message_bytes",
)


async def _admin(statement: str) -> None:
    import asyncpg  # only PostgreSQL runs need it

    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of its own, dropped on exit."""
    require_service("postgres", PG_HOST, PG_PORT)
    name = f"test_h3_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    with fresh_postgres_database() as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a SQLite file, or the session's PostgreSQL one."""
    if request.param == "sqlite":
        sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        upgrade_to_head(sqlite_url)
        return sqlite_url
    postgres: str = request.getfixturevalue("postgres_url")
    return postgres


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await Database.connect(db_url)
    if database.dialect == "postgresql":
        truncate = text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await database.write(lambda connection: connection.execute(truncate))
    try:
        yield database
    finally:
        await database.close()


def echo_catalog(**echo_options: Any) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The provider and model config the domain tests use (small windows, to test trimming)."""
    providers = {
        "local-echo": {"type": "echo", **echo_options},
        "off": {"type": "echo"},
    }
    models = [
        {
            "id": "echo",
            "provider": "local-echo",
            "context_window": 200,
            "max_output_tokens": 50,
            "description": "Test model: repeats the last message.",
        },
        {
            "id": "echo-large",
            "provider": "local-echo",
            "context_window": 100000,
            "max_output_tokens": 4000,
        },
        {
            "id": "echo-disabled",
            "provider": "off",
            "context_window": 200,
            "max_output_tokens": 50,
            "enabled": False,
        },
    ]
    return providers, models
