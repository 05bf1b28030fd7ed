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
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from store.database import Database
from store.migrations import upgrade_to_head
from store.records import ConversationRow, MessageRow
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


def conversation_row(
    conversation_id: str, *, user: str = "alice", when: datetime | None = None, **fields: Any
) -> ConversationRow:
    """A conversation record to store (its `pk` is set when stored); `fields` override."""
    when = when or datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
    row = ConversationRow(
        pk=0,
        user_id=user,
        id=conversation_id,
        title="",
        model="echo",
        system_prompt="",
        message_count=0,
        etag="e0",
        create_time=when,
        update_time=when,
        generating_message_id=None,
        generating_since=None,
        generation_lease_expires=None,
        content_bytes=0,
    )
    return replace(row, **fields)


def message_row(
    conversation_pk: int, message_id: str, position: int, *, when: datetime, **fields: Any
) -> MessageRow:
    """A user message record to store (its `pk` is set when stored); `fields` override."""
    row = MessageRow(
        pk=0,
        conversation_pk=conversation_pk,
        id=message_id,
        position=position,
        role="USER",
        content="hi",
        status="COMPLETE",
        model="",
        input_tokens=0,
        output_tokens=0,
        finish_reason=None,
        error_code=None,
        error_message=None,
        create_time=when,
        update_time=when,
    )
    return replace(row, **fields)
