"""A turn's two writes (store.turn_writes): one statement on PostgreSQL, separate statements on
SQLite, the same rows either way; many turns' writes as one statement on PostgreSQL, the same
rows as each turn's alone."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from store import conversations, message_bytes, messages, turn_writes, usage
from store.clock import utc_now
from store.coalescing import Failed
from store.database import Database
from store.records import ConversationRow, MessageRow
from store.tables import messages as message_table
from tests.store.db_fixtures import conversation_row

NOW = utc_now()


def _conversation(
    conversation_id: str, *, holder: str | None = None, user: str = "alice"
) -> ConversationRow:
    return conversation_row(
        conversation_id,
        user=user,
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


def _start(row: ConversationRow, content: str = "héllo", *, turn: str = "1") -> turn_writes.Start:
    return turn_writes.Start(
        conversation_pk=row.pk,
        user_id=row.user_id,
        user_message_id=f"u{turn}",
        answer_id=f"a{turn}",
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
    assert (await db.write_statement(turn_writes.settle, _settlement(row, started[1].pk))).written
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
    assert (await db.write_statement(turn_writes.settle, failed)).written
    late = _settlement(row, started[1].pk, model="echo-2")
    assert not (await db.write_statement(turn_writes.settle, late)).written
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
    assert (await db.write_statement(turn_writes.settle, _settlement(row, started[1].pk))).written
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


def _usage(connection: Connection) -> list[tuple[str, str, int, int, int, int]]:
    day = NOW.date()
    rows = usage.rows(connection, start=day, end=day, user_id=None, model=None)
    found = [
        (r.user_id, r.model, r.requests, r.input_tokens, r.output_tokens, r.cost_micros)
        for r in rows
    ]
    return sorted(found)


async def test_turns_started_together_store_what_each_would_alone(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    first = await _stored(db, _conversation("c-first"))
    second = await _stored(db, _conversation("c-second"))
    bobs = await _stored(db, _conversation("c-bob", user="bob"))
    held = await _stored(db, _conversation("c-held", holder="someone"))
    starts = [
        _start(first, "héllo", turn="1"),
        _start(second, "hi", turn="2"),
        _start(bobs, "hey bob", turn="3"),
        _start(first, "again", turn="4"),  # the same conversation: one of the two takes it
        _start(held, "no", turn="5"),
    ]
    stored = await db.write_statement(turn_writes.start_many, starts)
    assert [outcome is None for outcome in stored[1:3]] == [False, False]
    assert stored[4] is None
    assert [stored[0] is None, stored[3] is None].count(True) == 1
    winner = 0 if stored[0] is not None else 3
    for index, row in ((winner, first), (1, second), (2, bobs)):
        outcome = stored[index]
        assert outcome is not None and not isinstance(outcome, Failed)
        user_message, answer = outcome
        thread = await db.read(_thread, row.pk)
        assert [(m.pk, m.id, m.position, m.status, m.content) for m in thread] == [
            (user_message.pk, starts[index].user_message_id, 5, "COMPLETE", starts[index].content),
            (answer.pk, starts[index].answer_id, 6, "IN_PROGRESS", ""),
        ]
        locked = await db.read(conversations.get, row.user_id, row.id)
        assert locked is not None and locked.generating_message_id == starts[index].answer_id
        assert locked.content_bytes == 2 + message_bytes.size(starts[index].content)
    alice_bytes = message_bytes.size(starts[winner].content) + message_bytes.size("hi")
    assert await db.read(message_bytes.used, "alice") == alice_bytes
    assert await db.read(message_bytes.used, "bob") == message_bytes.size("hey bob")
    assert await db.read(_thread, held.pk) == []
    assert not _refused(caplog)  # one statement on PostgreSQL, not one per turn


async def test_turns_settled_together_store_what_each_would_alone(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        await _stored(db, _conversation("c-one")),
        await _stored(db, _conversation("c-two")),
        await _stored(db, _conversation("c-bob", user="bob")),
        await _stored(db, _conversation("c-late")),
    ]
    answers = []
    for n, row in enumerate(rows):
        started = await db.write_statement(turn_writes.start, _start(row, turn=str(n)))
        assert started is not None
        answers.append(started[1].pk)
    # The last answer was settled FAILED elsewhere (its lease ran out); its writer comes back.
    failed = replace(
        _settlement(rows[3], answers[3], answer_id="a3", status="FAILED", content=""),
        input_tokens=0,
        output_tokens=0,
        cost_micros=0,
    )
    assert (await db.write_statement(turn_writes.settle, failed)).written
    settlements = [
        _settlement(rows[0], answers[0], answer_id="a0", content="one"),
        _settlement(rows[1], answers[1], answer_id="a1", content="two two", input_tokens=5),
        _settlement(rows[2], answers[2], answer_id="a2", user_id="bob", content="bob's"),
        _settlement(rows[3], answers[3], answer_id="a3", model="echo-2", content="late"),
    ]
    outcomes = await db.write_statement(turn_writes.settle_many, settlements)
    assert all(isinstance(outcome, turn_writes.Settled) for outcome in outcomes)
    settled = [outcome for outcome in outcomes if isinstance(outcome, turn_writes.Settled)]
    assert [outcome.written for outcome in settled] == [True, True, True, False]
    if db.dialect == "postgresql":  # each conversation as its settlement left it
        assert [
            (c.id, c.etag, c.message_count, c.generating_message_id) if c else None
            for c in (outcome.conversation for outcome in settled)
        ] == [("c-one", "e2", 6, None), ("c-two", "e2", 6, None), ("c-bob", "e2", 6, None), None]
    for row, settlement in zip(rows[:3], settlements, strict=False):
        answer = (await db.read(_thread, row.pk))[1]
        assert (answer.status, answer.content, answer.input_tokens) == (
            "COMPLETE",
            settlement.content,
            settlement.input_tokens,
        )
        unlocked = await db.read(conversations.get, row.user_id, row.id)
        assert unlocked is not None and unlocked.generating_message_id is None
        assert unlocked.content_bytes == 2 + 6 + message_bytes.size(settlement.content)
    late = (await db.read(_thread, rows[3].pk))[1]
    assert (late.status, late.content) == ("FAILED", "")
    # Usage: one row per user and model, its sums; the late writer's counted too.
    assert await db.read(_usage) == [
        ("alice", "echo", 3, 7 + 5, 3 + 3, 130 + 130),
        ("alice", "echo-2", 1, 7, 3, 130),
        ("bob", "echo", 1, 7, 3, 130),
    ]
    assert await db.read(message_bytes.used, "alice") == 3 * 6 + len("one") + len("two two")
    assert await db.read(message_bytes.used, "bob") == 6 + len("bob's")
    assert not _refused(caplog)


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_batch_the_database_refuses_is_made_turn_by_turn(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL refuses U+0000 in text: the batch changes nothing, then each turn is made on
    its own and only the one at fault fails (on SQLite every turn is made alone anyway)."""
    good = await _stored(db, _conversation("c-good"))
    bad = await _stored(db, _conversation("c-bad"))
    stored = await db.write_statement(
        turn_writes.start_many, [_start(good, turn="1"), _start(bad, "nul\x00", turn="2")]
    )
    assert isinstance(stored[1], Failed) and isinstance(stored[1].error, DBAPIError)
    assert stored[0] is not None and not isinstance(stored[0], Failed)
    assert await db.read(_thread, bad.pk) == []
    started = await db.write_statement(turn_writes.start, _start(bad, turn="3"))
    assert started is not None
    settled = await db.write_statement(
        turn_writes.settle_many,
        [
            _settlement(good, stored[0][1].pk, content="fine"),
            _settlement(bad, started[1].pk, answer_id="a3", content="nul\x00"),
        ],
    )
    assert isinstance(settled[0], turn_writes.Settled) and settled[0].written
    assert isinstance(settled[1], Failed)
    assert [m.status for m in await db.read(_thread, good.pk)] == ["COMPLETE", "COMPLETE"]
    assert [m.status for m in await db.read(_thread, bad.pk)] == ["COMPLETE", "IN_PROGRESS"]
    assert _refused(caplog) == ["start", "settle"]


def _refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The kinds of the batches store.turn_writes made one statement per turn."""
    return [
        str(record.args[1])  # type: ignore[index]
        for record in caplog.records
        if record.name == "store.turn_writes" and "was refused" in record.getMessage()
    ]


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_start_on_an_etag_that_changed_stores_nothing(db: Database) -> None:
    """A turn begun on a context this process kept (domain.turn_contexts) is stored only if
    the conversation's etag is still the one it kept, alone and in a batch."""
    row = await _stored(db, _conversation("c-etag"))  # etag e0
    other = await _stored(db, _conversation("c-other"))
    stale = replace(_start(row), expected_etag="not-e0")
    assert await db.write_statement(turn_writes.start, stale) is None
    batch = [replace(_start(row, turn="2"), expected_etag="not-e0"), _start(other, turn="3")]
    stored = await db.write_statement(turn_writes.start_many, batch)
    assert stored[0] is None and stored[1] is not None
    assert await db.read(_thread, row.pk) == []
    assert await db.write_statement(turn_writes.start, replace(stale, expected_etag="e0"))
    assert [m.id for m in await db.read(_thread, row.pk)] == ["u1", "a1"]
