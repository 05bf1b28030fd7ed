"""Hot statements run straight on the driver (store.compiled) give what SQLAlchemy's own
execution gives, inside the unit's transaction, and fail as SQLAlchemy would."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy import exc as sa_exc

from store import conversations, messages
from store.compiled import Compiled
from store.database import Database, is_unavailable
from store.records import ConversationRow, MessageRow
from store.tables import api_keys
from store.tables import conversations as conversation_table
from tests.store.db_fixtures import _admin, conversation_row, message_row

WHEN = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def _conversation(conversation_id: str) -> ConversationRow:
    return conversation_row(conversation_id, title="t", when=WHEN)


def _message(conversation_pk: int, message_id: str, position: int) -> MessageRow:
    return message_row(conversation_pk, message_id, position, when=WHEN, content="hé")


async def test_rows_are_what_sqlalchemy_gives(db: Database) -> None:
    row = _conversation("c-same")
    await db.write(conversations.insert, row)
    await db.write(messages.insert, _message(row.pk, "m1", 1))
    key = {
        "id": "k1",
        "user_id": "alice",
        "role": "user",
        "display_name": "",
        "prefix": "pllm_abcd",
        "secret_hash": "h" * 64,
        "create_time": WHEN,
        "revoke_time": None,
        "limits": {"requestsPerMinute": 5, "models": ["echo"]},
        "etag": "e",
    }
    await db.write(lambda connection: connection.execute(api_keys.insert(), key))
    statements = [
        (
            select(conversation_table).where(conversation_table.c.id == bindparam("id")),
            {"id": "c-same"},
        ),
        (select(api_keys).where(api_keys.c.id == bindparam("id")), {"id": "k1"}),
        (
            select(messages._c.create_time, messages._c.content, messages._c.finish_reason),
            {},
        ),
    ]
    for statement, params in statements:

        def both(
            connection: Connection,
        ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
            ours = Compiled(statement).rows(connection, params)  # noqa: B023
            theirs = [tuple(r) for r in connection.execute(statement, params)]  # noqa: B023
            return ours, theirs

        ours, theirs = await db.read(both)
        assert ours == theirs and ours
    got = await db.read(conversations.get, "alice", "c-same")
    assert got is not None and got.create_time == WHEN and got.create_time.tzinfo is not None
    limits = await db.read(lambda c: Compiled(select(api_keys.c.limits)).scalar(c, {}))
    assert limits == {"requestsPerMinute": 5, "models": ["echo"]}


async def test_a_write_joins_the_units_transaction(db: Database) -> None:
    row = _conversation("c-tx")
    await db.write(conversations.insert, row)
    retitle = Compiled(
        update(conversation_table)
        .where(conversation_table.c.pk == bindparam("cpk"))
        .values(title=bindparam("title"))
    )

    def change_then_fail(connection: Connection) -> None:
        assert retitle.rowcount(connection, {"cpk": row.pk, "title": "changed"}) == 1
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await db.write(change_then_fail)
    kept = await db.read(conversations.get, "alice", "c-tx")
    assert kept is not None and kept.title == "t"  # the first statement went with the rest
    await db.write(lambda c: retitle.rowcount(c, {"cpk": row.pk, "title": "done"}))
    done = await db.read(conversations.get, "alice", "c-tx")
    assert done is not None and done.title == "done"


async def test_errors_are_sqlalchemys(db: Database) -> None:
    row = _conversation("c-dup")
    await db.write(conversations.insert, row)
    await db.write(messages.insert, _message(row.pk, "m1", 1))
    with pytest.raises(sa_exc.IntegrityError) as duplicate:
        await db.write(messages.insert, _message(row.pk, "m2", 1))  # position 1 is taken
    assert not is_unavailable(duplicate.value)
    # Parameters are never in the message, as with SQLAlchemy's hide_parameters.
    assert "hé" not in str(duplicate.value) and "parameters hidden" in str(duplicate.value)
    with pytest.raises(KeyError):  # a required parameter left out is a bug, not a NULL
        await db.read(
            lambda c: Compiled(select(api_keys).where(api_keys.c.id == bindparam("id"))).rows(c, {})
        )


@pytest.mark.postgres
async def test_a_connection_cut_under_it_is_unavailable_and_not_reused(postgres_url: str) -> None:
    db = await Database.connect(postgres_url)
    probe = Compiled(select(api_keys.c.id).where(api_keys.c.id == bindparam("id")))
    database = postgres_url.rsplit("/", 1)[1]
    terminate = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )
    try:
        assert await db.read(lambda c: probe.rows(c, {"id": "nope"})) == []  # one pooled
        await _admin(terminate)  # its server side goes away, as in a restart
        with pytest.raises(sa_exc.DBAPIError) as cut:
            await db.read(lambda c: probe.rows(c, {"id": "nope"}))
        assert is_unavailable(cut.value)
        # The dead connection was invalidated, not handed out again.
        for _ in range(5):
            assert await db.read(lambda c: probe.rows(c, {"id": "nope"})) == []
    finally:
        await db.close()
