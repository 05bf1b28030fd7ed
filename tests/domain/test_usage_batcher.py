"""OpenAI-door usage in batches: summed per day, user and model, written within the flush
window without being asked, on flush(), and on aclose() (a graceful stop loses nothing)."""

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from domain.usage_batcher import UsageBatcher
from store import usage as repo
from store.database import Database

DAY = datetime(2026, 3, 4, 12, tzinfo=UTC)


async def stored(db: Database) -> list[tuple[str, str, int, int, int]]:
    rows = await db.read(repo.rows, start=DAY.date(), end=DAY.date(), user_id=None, model=None)
    return [(r.user_id, r.model, r.requests, r.input_tokens, r.output_tokens) for r in rows]


def batcher(db: Database, flush_seconds: float = 1.0) -> UsageBatcher:
    return UsageBatcher(db, flush_seconds=flush_seconds, clock=lambda: DAY)


async def test_additions_are_summed_and_written_in_one_flush(db: Database) -> None:
    usage = batcher(db)
    for tokens in (1, 2, 3):
        usage.add(user_id="alice", model="m", input_tokens=tokens, output_tokens=10 * tokens)
    usage.add(user_id="bob", model="m", input_tokens=5, output_tokens=-1)  # never negative
    assert await stored(db) == []
    await usage.flush()
    assert await stored(db) == [("alice", "m", 3, 6, 60), ("bob", "m", 1, 5, 0)]
    await usage.aclose()


async def test_a_batch_is_written_without_being_asked(db: Database) -> None:
    usage = batcher(db, flush_seconds=0.05)
    usage.add(user_id="alice", model="m", input_tokens=1, output_tokens=1)
    for _ in range(200):  # bounded wait for the background flush, not a race with a budget
        if await stored(db):
            break
        await asyncio.sleep(0.05)
    assert await stored(db) == [("alice", "m", 1, 1, 1)]
    await usage.aclose()


async def test_aclose_writes_what_is_left(db: Database) -> None:
    usage = batcher(db, flush_seconds=1.0)
    usage.add(user_id="alice", model="m", input_tokens=2, output_tokens=3)
    await usage.aclose()  # well inside the window: only the close can have written it
    assert await stored(db) == [("alice", "m", 1, 2, 3)]
    assert usage.closed
    with pytest.raises(RuntimeError):
        usage.add(user_id="alice", model="m", input_tokens=1, output_tokens=1)


async def test_batches_add_to_what_is_stored(db: Database) -> None:
    first, second = batcher(db), batcher(db)  # two processes on one database
    first.add(user_id="alice", model="m", input_tokens=1, output_tokens=1)
    second.add(user_id="alice", model="m", input_tokens=2, output_tokens=2)
    await first.aclose()
    await second.aclose()
    assert await stored(db) == [("alice", "m", 2, 3, 3)]


class FailingOnce:
    """A database whose first transaction cannot start (unreachable), then works."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.failed = False

    async def write(self, unit: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise OSError("database unreachable")
        return await self.db.write(unit, *args, **kwargs)


async def test_a_failed_write_is_kept_for_the_next_batch(db: Database) -> None:
    usage = UsageBatcher(cast(Database, FailingOnce(db)), clock=lambda: DAY)
    usage.add(user_id="alice", model="m", input_tokens=1, output_tokens=1)
    with pytest.raises(OSError):
        await usage.flush()
    usage.add(user_id="alice", model="m", input_tokens=1, output_tokens=1)
    await usage.aclose()
    assert await stored(db) == [("alice", "m", 2, 2, 2)]


def test_the_flush_window_is_bounded(db: Database) -> None:
    with pytest.raises(ValueError, match="1"):
        UsageBatcher(db, flush_seconds=1.5)
    with pytest.raises(ValueError):
        UsageBatcher(db, flush_seconds=0)
