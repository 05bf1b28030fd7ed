"""The per-user message bytes on both databases: the capped charge holds exactly under
concurrent writers, a conversation's delete hands back what it held, and the migration
backfills the totals from rows stored before it."""

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from store import conversations, message_bytes
from store.clock import utc_now
from store.database import Database
from store.migrations import alembic_config
from tests.store.db_fixtures import conversation_row, fresh_postgres_database


async def test_concurrent_charges_never_pass_the_cap(db: Database) -> None:
    async def one() -> bool:
        return await db.write(message_bytes.charge, "alice", 10, 100)

    results = await asyncio.gather(*(one() for _ in range(25)))
    assert results.count(True) == 10
    assert await db.read(message_bytes.used, "alice") == 100
    assert await db.read(message_bytes.used, "bob") == 0
    assert await db.write(message_bytes.charge, "alice", -30, 100)  # freeing is never refused
    assert not await db.write(message_bytes.charge, "alice", 31, 100)
    assert await db.write(message_bytes.charge, "alice", 30, 100)


async def test_a_deleted_conversation_returns_the_bytes_counted_on_it(db: Database) -> None:
    now = utc_now()
    row = conversation_row("c-bytes", user="carol", when=now, system_prompt="ab", content_bytes=2)

    def store(connection: Connection) -> None:
        conversations.insert(connection, row)
        message_bytes.charge(connection, "carol", 2, None)
        message_bytes.add_to_conversation(connection, row.pk, 7)

    await db.write(store)
    assert await db.write(conversations.delete_one, row.pk, expected_etag=None) == 9
    await db.write(message_bytes.add_to_conversation, row.pk, 5)  # gone: counts nowhere
    assert await db.read(message_bytes.used, "carol") == 9


def _insert_old_rows(url: str) -> None:
    """Rows as a database at revision 0003 holds them (no byte counts yet)."""

    async def run() -> None:
        database = await Database.connect(url)
        when = datetime(2026, 1, 1)
        try:

            def store(session: Connection) -> None:
                for pk, (user, prompt) in enumerate([("dan", "é"), ("dan", ""), ("eve", "xyz")], 1):
                    session.execute(
                        text(
                            "INSERT INTO conversations (pk, user_id, id, title, model, "
                            "system_prompt, message_count, etag, create_time, update_time) "
                            "VALUES (:pk, :user, :id, '', 'echo', :prompt, 0, 'e', :t, :t)"
                        ),
                        {"pk": pk, "user": user, "id": f"c-{pk}", "prompt": prompt, "t": when},
                    )
                for pk, (conversation_pk, content) in enumerate(
                    [(1, "€€"), (1, "hi"), (2, "ü"), (3, "")], 1
                ):
                    session.execute(
                        text(
                            "INSERT INTO messages (pk, conversation_pk, id, position, role, "
                            "content, status, model, input_tokens, output_tokens, create_time, "
                            "update_time) VALUES (:pk, :c, :id, :pos, 'USER', :content, "
                            "'COMPLETE', '', 0, 0, :t, :t)"
                        ),
                        {
                            "pk": pk,
                            "pos": pk,
                            "c": conversation_pk,
                            "id": f"m-{pk}",
                            "content": content,
                            "t": when,
                        },
                    )

            await database.write(store)
        finally:
            await database.close()

    asyncio.run(run())


async def _totals(url: str) -> tuple[dict[str, int], dict[str, int]]:
    database = await Database.connect(url)
    try:

        def read(session: Connection) -> tuple[dict[str, int], dict[str, int]]:
            users = session.execute(text("SELECT user_id, message_bytes FROM user_message_bytes"))
            held = session.execute(text("SELECT id, content_bytes FROM conversations"))
            by_user = {str(user): int(n) for user, n in users.all()}
            return by_user, {str(cid): int(n) for cid, n in held.all()}

        by_user, by_conversation = await database.read(read)
    finally:
        await database.close()
    return by_user, by_conversation


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_migration_backfills_bytes_from_stored_rows(backend: str, tmp_path: Path) -> None:
    def check(url: str) -> None:
        command.upgrade(alembic_config(url), "0003")
        _insert_old_rows(url)
        command.upgrade(alembic_config(url), "head")
        users, held = asyncio.run(_totals(url))
        # Bytes, not characters: é 2, € 3, ü 2.
        assert held == {"c-1": 2 + 6 + 2, "c-2": 2, "c-3": 3}
        assert users == {"dan": 10 + 2, "eve": 3}

    if backend == "sqlite":
        check(f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}")
    else:
        with fresh_postgres_database() as url:
            check(url)
