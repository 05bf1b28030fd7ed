"""The schema and the repositories on both databases: migrations, UTC times, upserts, the lock."""

import asyncio
from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import select

from store import conversations, messages, usage
from store.clock import utc_now
from store.database import Database
from store.migrations import alembic_config, downgrade_to_base, upgrade_to_head
from store.tables import ConversationRow, MessageRow


def _conversation(user: str, conversation_id: str, when: datetime) -> ConversationRow:
    return ConversationRow(
        user_id=user,
        id=conversation_id,
        title="",
        model="echo",
        system_prompt="",
        message_count=0,
        etag="e0",
        create_time=when,
        update_time=when,
    )


def test_migrations_are_idempotent_and_match_the_models(db_url: str) -> None:
    upgrade_to_head(db_url)  # already at head: nothing to do, no error
    command.check(alembic_config(db_url))  # raises if tables.py and the migrations disagree


def test_migrations_go_down_and_up_again(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/updown.db"
    upgrade_to_head(url)
    downgrade_to_base(url)
    upgrade_to_head(url)
    command.check(alembic_config(url))


async def test_upgrade_from_inside_a_running_loop(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/inloop.db"
    upgrade_to_head(url)  # runs in a helper thread, since asyncio.run cannot nest
    database = await Database.connect(url)
    try:
        await database.ping()
    finally:
        await database.close()


async def test_sqlite_directory_is_created(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/var/sub/app.db"
    upgrade_to_head(url)
    database = await Database.connect(url)
    await database.ping()
    await database.close()


async def test_times_come_back_aware_utc_to_the_microsecond(db: Database) -> None:
    when = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
    async with db.write() as session:
        await conversations.insert(session, _conversation("alice", "time-test", when))
    async with db.read() as session:
        row = await conversations.get(session, "alice", "time-test")
    assert row is not None
    assert row.create_time == when
    assert row.create_time.tzinfo is not None


async def test_write_rolls_back_on_error(db: Database) -> None:
    try:
        async with db.write() as session:
            await conversations.insert(session, _conversation("alice", "rolled-back", utc_now()))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    async with db.read() as session:
        assert await conversations.get(session, "alice", "rolled-back") is None


async def test_keyset_page_is_stable_under_concurrent_inserts(db: Database) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    async with db.write() as session:
        for i in range(6):
            await conversations.insert(
                session, _conversation("alice", f"conv-{i}", base + timedelta(seconds=i))
            )
    async with db.read() as session:
        first = await conversations.list_page(session, "alice", None, 3)
    assert [r.id for r in first] == ["conv-5", "conv-4", "conv-3"]
    async with db.write() as session:  # newer rows arrive between two pages
        await conversations.insert(session, _conversation("alice", "conv-new", utc_now()))
    after = (first[-1].create_time, first[-1].id)
    async with db.read() as session:
        second = await conversations.list_page(session, "alice", after, 10)
    assert [r.id for r in second] == ["conv-2", "conv-1", "conv-0"]


async def test_same_create_time_is_ordered_by_id(db: Database) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    async with db.write() as session:
        for name in ("conv-b", "conv-a", "conv-c"):
            await conversations.insert(session, _conversation("alice", name, when))
    async with db.read() as session:
        first = await conversations.list_page(session, "alice", None, 2)
        rest = await conversations.list_page(
            session, "alice", (first[-1].create_time, first[-1].id), 5
        )
    assert [r.id for r in first + rest] == ["conv-c", "conv-b", "conv-a"]


async def test_usage_upserts_add_up_under_concurrency(db: Database) -> None:
    day = date(2025, 5, 1)

    async def one() -> None:
        async with db.write() as session:
            await usage.add(
                session,
                day=day,
                user_id="alice",
                model="echo",
                requests=1,
                input_tokens=3,
                output_tokens=5,
            )

    await asyncio.gather(*(one() for _ in range(12)))
    async with db.read() as session:
        rows = await usage.rows(session, start=day, end=day, user_id="alice", model=None)
    assert [(r.requests, r.input_tokens, r.output_tokens) for r in rows] == [(12, 36, 60)]


async def test_generation_lock_has_one_winner(db: Database) -> None:
    async with db.write() as session:
        await conversations.insert(session, _conversation("alice", "locked", utc_now()))
    async with db.read() as session:
        row = await conversations.get(session, "alice", "locked")
    assert row is not None

    async def attempt(message_id: str) -> int | None:
        async with db.write() as session:
            return await conversations.try_lock(
                session,
                row.pk,
                message_id=message_id,
                now=utc_now(),
                lease_expires=utc_now() + timedelta(seconds=30),
                held_by=None,
                new_messages=2,
                new_etag=message_id,
            )

    results = await asyncio.gather(*(attempt(f"m{i}") for i in range(8)))
    winners = [r for r in results if r is not None]
    assert winners == [2]  # exactly one transaction took it and reserved positions 1-2
    async with db.write() as session:
        current = await session.scalar(select(ConversationRow).where(ConversationRow.pk == row.pk))
        assert current is not None and current.generating_message_id is not None
        holder = current.generating_message_id
        assert not await conversations.unlock(
            session, row.pk, message_id="someone-else", now=utc_now(), new_etag="x"
        )
        assert await conversations.unlock(
            session, row.pk, message_id=holder, now=utc_now(), new_etag="y"
        )


async def test_a_lease_is_taken_over_only_once_it_ran_out(db: Database) -> None:
    start = utc_now()
    async with db.write() as session:
        await conversations.insert(session, _conversation("alice", "leased", start))
    async with db.read() as session:
        row = await conversations.get(session, "alice", "leased")
    assert row is not None

    async def take(message_id: str, now: datetime, held_by: str | None) -> int | None:
        async with db.write() as session:
            return await conversations.try_lock(
                session,
                row.pk,
                message_id=message_id,
                now=now,
                lease_expires=now + timedelta(seconds=30),
                held_by=held_by,
                new_messages=2,
                new_etag=message_id,
            )

    async def expired(now: datetime) -> list[tuple[int, str]]:
        async with db.read() as session:
            return await conversations.expired_leases(session, now, 10)

    assert await take("a1", start, None) == 2
    soon, later = start + timedelta(seconds=10), start + timedelta(seconds=31)
    assert await take("a2", soon, "a1") is None  # a1's lease holds for 30 s
    assert await expired(soon) == [] and await expired(later) == [(row.pk, "a1")]
    async with db.write() as session:  # a1 renews: its lease now runs to soon + 30 s
        assert await conversations.renew_lease(
            session, row.pk, message_id="a1", lease_expires=soon + timedelta(seconds=30)
        )
        assert not await conversations.renew_lease(
            session, row.pk, message_id="other", lease_expires=later
        )
    assert await expired(later) == []
    async with db.write() as session:  # the renewal wins over a sweep that read before it
        assert not await conversations.release_expired(
            session, row.pk, message_id="a1", now=later, new_etag="e1"
        )
    much_later = soon + timedelta(seconds=31)
    assert await take("a2", much_later, "a1") == 4  # run out: taken over, positions 3-4
    async with db.write() as session:
        assert not await conversations.renew_lease(  # a1 came back too late
            session, row.pk, message_id="a1", lease_expires=much_later
        )
        assert await conversations.release_expired(
            session, row.pk, message_id="a2", now=much_later + timedelta(seconds=31), new_etag="e2"
        )
    async with db.read() as session:
        freed = await conversations.get(session, "alice", "leased")
    assert freed is not None
    assert (freed.generating_message_id, freed.generation_lease_expires) == (None, None)


async def test_deleting_a_conversation_deletes_its_messages(db: Database) -> None:
    now = utc_now()
    async with db.write() as session:
        row = _conversation("alice", "c-gone", now)
        await conversations.insert(session, row)
        message = MessageRow(
            conversation_pk=row.pk,
            id="m1",
            position=1,
            role="USER",
            content="hi",
            status="COMPLETE",
            create_time=now,
            update_time=now,
        )
        await messages.insert(session, message)
    async with db.write() as session:
        assert await conversations.delete_one(session, row.pk, expected_etag=None) == 0
    async with db.read() as session:
        left = await session.scalars(select(MessageRow).where(MessageRow.conversation_pk == row.pk))
        assert list(left) == []  # ON DELETE CASCADE, on SQLite as on PostgreSQL
