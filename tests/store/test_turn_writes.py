"""A turn's two writes (store.turn_writes): one statement on PostgreSQL, separate statements on
SQLite, the same rows either way."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Connection, select

from store import conversations, message_bytes, messages, turn_writes, usage
from store.clock import utc_now
from store.database import Database
from store.records import ConversationRow, MessageRow
from store.tables import messages as message_table
from tests.store.db_fixtures import conversation_row

NOW = utc_now()


def _conversation(conversation_id: str, *, holder: str | None = None) -> ConversationRow:
    return conversation_row(
        conversation_id,
        when=NOW,
        system_prompt="sp",
        message_count=4,  # two turns before this one
        generating_message_id=holder,
        generating_since=NOW if holder else None,
        generation_lease_expires=NOW + timedelta(seconds=30) if holder else None,
        content_bytes=2,
    )


async def _stored(db: Database, row: ConversationRow) -> ConversationRow:
    await db.write(conversations.insert, row)
    return row


def _start(row: ConversationRow, content: str = "héllo") -> turn_writes.Start:
    return turn_writes.Start(
        conversation_pk=row.pk,
        user_id="alice",
        user_message_id="u1",
        answer_id="a1",
        content=content,
        model="echo",
        now=NOW,
        lease_expires=NOW + timedelta(seconds=30),
        new_etag="e1",
    )


def _settlement(row: ConversationRow, answer_pk: int, **changes: object) -> turn_writes.Settlement:
    settlement = turn_writes.Settlement(
        conversation_pk=row.pk,
        user_id="alice",
        answer_pk=answer_pk,
        answer_id="a1",
        content="Echo: héllo",
        status="COMPLETE",
        input_tokens=7,
        output_tokens=3,
        finish_reason="stop",
        error_code=None,
        error_message=None,
        model="echo",
        now=NOW + timedelta(seconds=1),
        new_etag="e2",
        cost_micros=130,
    )
    return replace(settlement, **changes)  # type: ignore[arg-type]


def _thread(connection: Connection, conversation_pk: int) -> list[MessageRow]:
    return messages.list_page(connection, conversation_pk, 0, 100)


async def test_start_takes_the_lock_and_stores_both_messages(db: Database) -> None:
    row = await _stored(db, _conversation("c-start"))
    stored = await db.write_statement(turn_writes.start, _start(row))
    assert stored is not None
    user_message, answer = stored
    user_pk, answer_pk = user_message.pk, answer.pk
    assert (user_message.position, answer.position) == (5, 6)
    thread = await db.read(_thread, row.pk)
    assert [(m.pk, m.id, m.position, m.role, m.status, m.content, m.model) for m in thread] == [
        (user_pk, "u1", 5, "USER", "COMPLETE", "héllo", ""),
        (answer_pk, "a1", 6, "ASSISTANT", "IN_PROGRESS", "", "echo"),
    ]
    assert thread[0].create_time == NOW and thread[1].finish_reason is None
    locked = await db.read(conversations.get, "alice", "c-start")
    assert locked is not None
    assert (locked.generating_message_id, locked.message_count, locked.etag) == ("a1", 6, "e1")
    assert locked.content_bytes == 2 + 6  # é is two bytes
    assert await db.read(message_bytes.used, "alice") == 6


async def test_start_writes_nothing_while_the_lock_is_held(db: Database) -> None:
    row = await _stored(db, _conversation("c-held", holder="someone"))
    assert await db.write_statement(turn_writes.start, _start(row)) is None
    assert await db.read(_thread, row.pk) == []
    held = await db.read(conversations.get, "alice", "c-held")
    assert held is not None and (held.message_count, held.content_bytes) == (4, 2)
    assert await db.read(message_bytes.used, "alice") == 0


async def test_settle_writes_the_outcome_its_bytes_and_usage_and_unlocks(db: Database) -> None:
    row = await _stored(db, _conversation("c-settle"))
    started = await db.write_statement(turn_writes.start, _start(row))
    assert started is not None
    assert await db.write_statement(turn_writes.settle, _settlement(row, started[1].pk))
    answer = (await db.read(_thread, row.pk))[1]
    assert (answer.status, answer.content, answer.input_tokens, answer.output_tokens) == (
        "COMPLETE",
        "Echo: héllo",
        7,
        3,
    )
    assert (answer.finish_reason, answer.update_time) == ("stop", NOW + timedelta(seconds=1))
    settled = await db.read(conversations.get, "alice", "c-settle")
    assert settled is not None
    assert (settled.generating_message_id, settled.generation_lease_expires) == (None, None)
    assert (settled.etag, settled.content_bytes) == ("e2", 2 + 6 + 12)
    assert await db.read(message_bytes.used, "alice") == 6 + 12
    day = NOW.date()
    rows = await db.read(usage.rows, start=day, end=day, user_id="alice", model=None)
    assert [
        (r.model, r.requests, r.input_tokens, r.output_tokens, r.cost_micros) for r in rows
    ] == [("echo", 1, 7, 3, 130)]


async def test_a_late_settle_records_only_its_usage(db: Database) -> None:
    # The lease ran out and the answer was settled FAILED elsewhere; this writer comes back.
    row = await _stored(db, _conversation("c-late"))
    started = await db.write_statement(turn_writes.start, _start(row))
    assert started is not None
    failed = _settlement(row, started[1].pk, status="FAILED", content="", error_code=14)
    assert await db.write_statement(turn_writes.settle, failed)
    late = _settlement(row, started[1].pk, model="echo-2")
    assert not await db.write_statement(turn_writes.settle, late)
    answer = (await db.read(_thread, row.pk))[1]
    assert (answer.status, answer.content, answer.error_code) == ("FAILED", "", 14)
    assert await db.read(message_bytes.used, "alice") == 6  # the late text is not held
    day = NOW.date()
    rows = await db.read(usage.rows, start=day, end=day, user_id="alice", model=None)
    assert [(r.model, r.requests) for r in rows] == [("echo", 1), ("echo-2", 1)]


async def test_settle_leaves_a_lock_taken_over_by_another_writer(db: Database) -> None:
    row = await _stored(db, _conversation("c-taken"))
    started = await db.write_statement(turn_writes.start, _start(row))
    assert started is not None
    later = NOW + timedelta(seconds=31)

    def take_over(connection: Connection) -> int | None:
        return conversations.try_lock(
            connection,
            row.pk,
            message_id="b1",
            now=later,
            lease_expires=later + timedelta(seconds=30),
            held_by="a1",
            new_messages=2,
            new_etag="e3",
        )

    assert await db.write(take_over) == 8
    assert await db.write_statement(turn_writes.settle, _settlement(row, started[1].pk))
    current = await db.read(conversations.get, "alice", "c-taken")
    assert current is not None and current.generating_message_id == "b1"
    # Written, but not counted on a conversation this writer no longer holds.
    assert current.content_bytes == 2 + 6
    assert await db.read(message_bytes.used, "alice") == 6

    def answers(connection: Connection) -> list[str]:
        query = select(message_table.c.status).where(message_table.c.id == "a1")
        return list(connection.execute(query).scalars())

    assert await db.read(answers) == ["COMPLETE"]


async def test_a_cap_the_user_message_would_pass_stores_nothing(db: Database) -> None:
    row = await _stored(db, _conversation("c-capped"))
    await db.write(message_bytes.charge, "alice", 95, None)  # 95 of a 100-byte cap held
    with pytest.raises(turn_writes.BytesCapReached):
        await db.write(turn_writes.start, _start(row), byte_cap=100)  # héllo: 6 bytes
    assert await db.read(_thread, row.pk) == []
    kept = await db.read(conversations.get, "alice", "c-capped")
    assert kept is not None and (kept.generating_message_id, kept.message_count) == (None, 4)
    assert await db.read(message_bytes.used, "alice") == 95
    assert await db.write(turn_writes.start, _start(row, "ok"), byte_cap=100) is not None


async def test_a_lock_whose_lease_ran_out_is_taken_over(db: Database) -> None:
    row = await _stored(db, _conversation("c-stale", holder="dead-writer"))
    later = replace(_start(row), now=NOW + timedelta(seconds=31))
    abandoned: list[str] = []

    def taken_over(connection: Connection) -> None:
        abandoned.append("dead-writer")

    assert await db.write(turn_writes.start, later, held_by="someone-else") is None
    assert abandoned == []
    stored = await db.write(turn_writes.start, later, held_by="dead-writer", taken_over=taken_over)
    assert stored is not None and abandoned == ["dead-writer"]
    locked = await db.read(conversations.get, "alice", "c-stale")
    assert locked is not None and locked.generating_message_id == "a1"
