"""The schema and the repositories on both databases: migrations, UTC times, upserts, the lock."""

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, select, text

from store import conversations, messages, usage
from store.clock import utc_now
from store.database import Database, share_one_cpu
from store.migrations import alembic_config, downgrade_to_base, upgrade_to_head
from store.records import ApiKeyRow, ConversationRow, MessageRow, UsageRow, UserLimitsRow
from store.tables import api_keys, metadata, usage_daily, user_limits
from store.tables import conversations as conversation_table
from store.tables import messages as message_table
from tests.store.db_fixtures import TABLES, conversation_row, message_row


def _conversation(user: str, conversation_id: str, when: datetime) -> ConversationRow:
    return conversation_row(conversation_id, user=user, when=when)


async def _insert(db: Database, *rows: ConversationRow) -> None:
    def unit(connection: Connection) -> None:
        for row in rows:
            conversations.insert(connection, row)

    await db.write(unit)


@pytest.mark.parametrize(
    ("record", "table"),
    [
        (ApiKeyRow, api_keys),
        (UserLimitsRow, user_limits),
        (ConversationRow, conversation_table),
        (MessageRow, message_table),
        (UsageRow, usage_daily),
    ],
)
def test_each_record_has_its_tables_columns_in_order(record: type, table: object) -> None:
    # store.records builds records positionally from `select(table)` rows.
    assert tuple(record.__dataclass_fields__) == tuple(table.c.keys())  # type: ignore[attr-defined]


def test_every_table_has_its_record() -> None:
    assert set(metadata.tables) == {
        "api_keys",
        "user_limits",
        "user_message_bytes",
        "conversations",
        "messages",
        "usage_daily",
    }


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
    await _insert(db, _conversation("alice", "time-test", when))
    row = await db.read(conversations.get, "alice", "time-test")
    assert row is not None
    assert row.create_time == when
    assert row.create_time.tzinfo is not None


async def test_write_rolls_back_on_error(db: Database) -> None:
    def unit(connection: Connection) -> None:
        conversations.insert(connection, _conversation("alice", "rolled-back", utc_now()))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.write(unit)
    assert await db.read(conversations.get, "alice", "rolled-back") is None


async def test_a_cancelled_caller_does_not_stop_a_write_it_started(db: Database) -> None:
    # A unit runs whole once started: the caller may go, the transaction ends as it would.
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def unit(connection: Connection) -> None:
        conversations.insert(connection, _conversation("alice", "kept", utc_now()))
        loop.call_soon_threadsafe(started.set)

    write = asyncio.ensure_future(db.write(unit))
    await started.wait()
    write.cancel()
    with pytest.raises(asyncio.CancelledError):
        await write
    if db.dialect != "sqlite":
        return  # PostgreSQL's units run on the loop: a cancelled one is rolled back
    for _ in range(200):  # the commit follows the unit's last statement
        if await db.read(conversations.get, "alice", "kept") is not None:
            break
        await asyncio.sleep(0.05)
    assert await db.read(conversations.get, "alice", "kept") is not None


async def test_keyset_page_is_stable_under_concurrent_inserts(db: Database) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    await _insert(
        db, *(_conversation("alice", f"conv-{i}", base + timedelta(seconds=i)) for i in range(6))
    )
    first = await db.read(conversations.list_page, "alice", None, 3)
    assert [r.id for r in first] == ["conv-5", "conv-4", "conv-3"]
    await _insert(db, _conversation("alice", "conv-new", utc_now()))  # between two pages
    after = (first[-1].create_time, first[-1].id)
    second = await db.read(conversations.list_page, "alice", after, 10)
    assert [r.id for r in second] == ["conv-2", "conv-1", "conv-0"]


async def test_same_create_time_is_ordered_by_id(db: Database) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    await _insert(
        db, *(_conversation("alice", name, when) for name in ("conv-b", "conv-a", "conv-c"))
    )
    first = await db.read(conversations.list_page, "alice", None, 2)
    rest = await db.read(conversations.list_page, "alice", (first[-1].create_time, first[-1].id), 5)
    assert [r.id for r in first + rest] == ["conv-c", "conv-b", "conv-a"]


async def test_usage_upserts_add_up_under_concurrency(db: Database) -> None:
    day = date(2025, 5, 1)

    async def one() -> None:
        await db.write(
            usage.add,
            day=day,
            user_id="alice",
            model="echo",
            requests=1,
            input_tokens=3,
            output_tokens=5,
        )

    await asyncio.gather(*(one() for _ in range(12)))
    rows = await db.read(usage.rows, start=day, end=day, user_id="alice", model=None)
    assert [(r.requests, r.input_tokens, r.output_tokens) for r in rows] == [(12, 36, 60)]


async def test_generation_lock_has_one_winner(db: Database) -> None:
    await _insert(db, _conversation("alice", "locked", utc_now()))
    row = await db.read(conversations.get, "alice", "locked")
    assert row is not None

    async def attempt(message_id: str) -> int | None:
        return await db.write(
            conversations.try_lock,
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
    current = await db.read(conversations.get, "alice", "locked")
    assert current is not None and current.generating_message_id is not None
    holder = current.generating_message_id

    def unlock(connection: Connection) -> None:
        assert not conversations.unlock(
            connection, row.pk, message_id="someone-else", now=utc_now(), new_etag="x"
        )
        assert conversations.unlock(
            connection, row.pk, message_id=holder, now=utc_now(), new_etag="y"
        )

    await db.write(unlock)


async def test_a_lease_is_taken_over_only_once_it_ran_out(db: Database) -> None:
    start = utc_now()
    await _insert(db, _conversation("alice", "leased", start))
    row = await db.read(conversations.get, "alice", "leased")
    assert row is not None

    async def take(message_id: str, now: datetime, held_by: str | None) -> int | None:
        return await db.write(
            conversations.try_lock,
            row.pk,
            message_id=message_id,
            now=now,
            lease_expires=now + timedelta(seconds=30),
            held_by=held_by,
            new_messages=2,
            new_etag=message_id,
        )

    async def expired(now: datetime) -> list[tuple[int, str]]:
        return await db.read(conversations.expired_leases, now, 10)

    async def renew(message_id: str, lease_expires: datetime) -> bool:
        return await db.write(
            conversations.renew_lease, row.pk, message_id=message_id, lease_expires=lease_expires
        )

    async def release(message_id: str, now: datetime, new_etag: str) -> bool:
        return await db.write(
            conversations.release_expired, row.pk, message_id=message_id, now=now, new_etag=new_etag
        )

    assert await take("a1", start, None) == 2
    soon, later = start + timedelta(seconds=10), start + timedelta(seconds=31)
    assert await take("a2", soon, "a1") is None  # a1's lease holds for 30 s
    assert await expired(soon) == [] and await expired(later) == [(row.pk, "a1")]
    # a1 renews: its lease now runs to soon + 30 s
    assert await renew("a1", soon + timedelta(seconds=30))
    assert not await renew("other", later)
    assert await expired(later) == []
    assert not await release("a1", later, "e1")  # the renewal wins over a sweep that read before it
    much_later = soon + timedelta(seconds=31)
    assert await take("a2", much_later, "a1") == 4  # run out: taken over, positions 3-4
    assert not await renew("a1", much_later)  # a1 came back too late
    assert await release("a2", much_later + timedelta(seconds=31), "e2")
    freed = await db.read(conversations.get, "alice", "leased")
    assert freed is not None
    assert (freed.generating_message_id, freed.generation_lease_expires) == (None, None)


async def test_deleting_a_conversation_deletes_its_messages(db: Database) -> None:
    now = utc_now()
    row = _conversation("alice", "c-gone", now)

    def store(connection: Connection) -> None:
        conversations.insert(connection, row)
        messages.insert(
            connection,
            message_row(row.pk, "m1", 1, when=now),
        )

    await db.write(store)
    assert await db.write(conversations.delete_one, row.pk, expected_etag=None) == 0

    def left(connection: Connection) -> list[int]:
        query = select(message_table.c.pk).where(message_table.c.conversation_pk == row.pk)
        return list(connection.execute(query).scalars())

    assert await db.read(left) == []  # ON DELETE CASCADE, on SQLite as on PostgreSQL


def test_the_sqlite_worker_shares_the_cpu_of_the_thread_that_started_it() -> None:
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux and two CPUs")
    seen: dict[str, set[int]] = {}

    def loop_thread() -> None:  # stands for the event loop's thread (left pinned: it ends)
        share_one_cpu()
        seen["loop"] = os.sched_getaffinity(0)
        worker = threading.Thread(target=lambda: seen.update(worker=os.sched_getaffinity(0)))
        worker.start()
        worker.join()

    thread = threading.Thread(target=loop_thread)
    thread.start()
    thread.join()
    assert len(seen["loop"]) == 1 and seen["worker"] == seen["loop"]
    assert len(os.sched_getaffinity(0)) >= 2  # the test's own thread is left as it was


@pytest.mark.postgres  # first_pages is PostgreSQL's (LATERAL); SQLite lists a page at a time
async def test_first_pages_of_several_users_read_as_one_are_each_their_own_list_page(
    postgres_url: str,
) -> None:
    await _on_an_empty_database_of_its_own(postgres_url, _first_pages_are_list_pages)


async def _on_an_empty_database_of_its_own(
    postgres_url: str, check: Callable[[Database], Awaitable[None]]
) -> None:
    """`check` on a Database of its own (not the `db` fixture's), the tables emptied first."""
    db = await Database.connect(postgres_url)
    try:
        await db.write(lambda connection: connection.execute(text(f"TRUNCATE {', '.join(TABLES)}")))
        await check(db)
    finally:
        await db.close()


async def _first_pages_are_list_pages(db: Database) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    await _insert(
        db,
        *(_conversation("alice", f"a-{i}", base + timedelta(seconds=i)) for i in range(5)),
        *(_conversation("bob", name, base) for name in ("b-2", "b-1", "b-3")),  # one time, by id
    )
    requests = [("alice", 3), ("bob", 10), ("nobody", 5), ("alice", 10), ("bob", 1)]
    pages = await db.read(conversations.first_pages, requests)
    assert list(pages) == requests
    for (user, limit), rows in pages.items():
        assert rows == await db.read(conversations.list_page, user, None, limit), (user, limit)
    assert [row.id for row in pages[("alice", 3)]] == ["a-4", "a-3", "a-2"]
    assert [row.id for row in pages[("bob", 10)]] == ["b-3", "b-2", "b-1"]
    assert pages[("nobody", 5)] == []


async def test_concurrent_first_pages_are_read_in_fewer_statements_than_callers(
    db: Database,
) -> None:
    from server.state import conversation_pages

    pages = conversation_pages(db)
    if db.dialect == "sqlite":
        assert pages is None  # each listing reads its own page
        return
    assert pages is not None
    base = datetime(2025, 1, 1, tzinfo=UTC)
    await _insert(
        db,
        *(
            _conversation(f"u{n}", f"c-{i}", base + timedelta(seconds=i))
            for n in range(4)
            for i in range(n)
        ),
    )
    asks = [(f"u{n % 4}", 1 + n % 3) for n in range(40)]
    answers = await asyncio.gather(*(pages.get(ask) for ask in asks))
    for (user, limit), rows in zip(asks, answers, strict=True):
        assert rows == await db.read(conversations.list_page, user, None, limit)
    assert pages.batches < len(asks)


async def test_a_conversation_with_its_recent_messages_is_get_and_before(db: Database) -> None:
    """One statement on PostgreSQL (LATERAL), the two themselves on SQLite."""
    now = utc_now()
    # Seven messages, the last one past the count (written after it was read: not history
    # yet), and a conversation with none.
    talk = conversation_row("talk", user="alice", when=now, message_count=6)
    quiet = conversation_row("quiet", user="alice", when=now, system_prompt="s" * 30_000)

    def store(connection: Connection) -> None:
        conversations.insert(connection, talk)
        conversations.insert(connection, quiet)
        messages.insert(
            connection,
            *(
                message_row(
                    talk.pk,
                    f"m{position}",
                    position,
                    when=now,
                    role="USER" if position % 2 else "ASSISTANT",
                    content=f"text {position} ✓",
                    status="FAILED" if position == 4 else "COMPLETE",
                )
                for position in range(1, 8)
            ),
        )

    await db.write(store)
    for limit in (1, 4, 6, 200):
        found = await db.read(conversations.with_recent_messages, "alice", "talk", limit)
        assert found is not None
        conversation, recent = found
        assert conversation == await db.read(conversations.get, "alice", "talk")
        assert recent == await db.read(messages.before, talk.pk, 7, limit)
        assert len(recent) == min(limit, 6) and recent[0][1] == "text 6 ✓"
    assert await db.read(conversations.with_recent_messages, "alice", "quiet", 200) == (
        await db.read(conversations.get, "alice", "quiet"),
        [],
    )
    assert await db.read(conversations.with_recent_messages, "bob", "talk", 200) is None
    assert await db.read(conversations.with_recent_messages, "alice", "nothing", 200) is None
