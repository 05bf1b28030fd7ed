"""The generation lease: renewed while an answer is written, streamed text saved as it comes,
abandoned answers settled by the sweep, settling retried through a dropped connection, and
upstream text no database can hold made storable. On SQLite and PostgreSQL."""

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from domain import conversations as conv
from domain import messages, sweep, turns
from domain.conversations import ConversationFields
from domain.lease import LeasePolicy
from domain.services import Services
from domain.turns import TurnInput
from errors import Code
from providers.base import Completion, CompletionRequest
from providers.registry import ProviderRegistry
from store.clock import utc_now
from store.database import Database
from store.records import MessageRow
from store.tables import conversations as conversation_table
from tests.domain.conftest import ALICE, api_error
from tests.fakes.openai_upstream import FakeOpenAIUpstream, Reply
from tests.store.db_fixtures import PG_ADMIN_DSN, TABLES

# Generous: these bound a poll on a loaded machine, they are not what is measured.
WAIT_SECONDS = 30.0


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + WAIT_SECONDS
    while not await check():
        if loop.time() > give_up:
            pytest.fail(f"not within {WAIT_SECONDS:g} s: {what}")
        await asyncio.sleep(0.02)


def with_lease(svc: Services, **policy: Any) -> Services:
    return dataclasses.replace(svc, lease=LeasePolicy(**policy))


async def _conversation(svc: Services, model: str = "") -> str:
    return (await conv.create_conversation(svc, ALICE, ConversationFields(model=model))).id


async def _answer(svc: Services, cid: str) -> MessageRow:
    thread = (await messages.list_messages(svc, ALICE, cid, size=1000)).items
    return thread[-1]


async def _lease(svc: Services, cid: str) -> tuple[str | None, datetime | None]:
    row = await conv.get_conversation(svc, ALICE, cid)
    return row.generating_message_id, row.generation_lease_expires


async def _deltas(stream: turns.TurnStream, count: int) -> str:
    """The text of the stream's first `count` deltas."""
    text = ""
    seen = 0
    async for name, payload in stream:
        if name == "delta":
            text += str(payload["content"])
            seen += 1
            if seen == count:
                return text
    raise AssertionError(f"the stream ended after {seen} deltas")


async def test_the_writer_renews_its_lease_while_it_works(svc: Services) -> None:
    svc = with_lease(svc, seconds=0.4)  # renewed every 0.1 s
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b [echo:stall-after=1]"))
    assert await _deltas(stream, 1) == "Echo: "
    holder, first = await _lease(svc, cid)
    assert holder is not None and first is not None

    async def moved_on() -> bool:
        _, expires = await _lease(svc, cid)
        return expires is not None and expires > first + timedelta(seconds=0.4)

    await eventually(moved_on, "the lease renewed past its first expiry")
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("next")))
    assert error.code is Code.FAILED_PRECONDITION  # a live writer keeps its conversation
    assert await sweep.sweep_once(svc.db) == 0
    await stream.aclose()
    await turns.drain_settlements()
    assert (await _answer(svc, cid)).status == "CANCELLED"
    assert await _lease(svc, cid) == (None, None)


async def test_streamed_text_is_saved_every_n_deltas(svc: Services) -> None:
    # Neither the interval nor a renewal falls within the test: only the count can save.
    svc = with_lease(svc, seconds=3600, persist_seconds=3600, persist_deltas=3)
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b c d [echo:stall-after=3]"))
    received = await _deltas(stream, 3)
    assert received == "Echo: a b "

    async def saved() -> bool:
        return (await _answer(svc, cid)).content == received

    await eventually(saved, "three deltas saved")
    assert (await _answer(svc, cid)).status == "IN_PROGRESS"
    await stream.aclose()
    await turns.drain_settlements()
    assert (await _answer(svc, cid)).status == "CANCELLED"


async def test_streamed_text_is_saved_within_the_interval(svc: Services) -> None:
    # Only the interval can save: no renewal within the test, too few deltas for the count.
    svc = with_lease(svc, seconds=3600, persist_seconds=0.05, persist_deltas=1000)
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b c [echo:stall-after=3]"))
    received = await _deltas(stream, 3)

    async def saved() -> bool:
        return (await _answer(svc, cid)).content == received

    await eventually(saved, "what the client received saved while the upstream is silent")
    await stream.aclose()
    await turns.drain_settlements()


async def test_the_sweep_settles_an_abandoned_answer_with_its_saved_text(svc: Services) -> None:
    svc = with_lease(svc, persist_seconds=0.05)
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("x y z [echo:stall-after=3]"))
    received = await _deltas(stream, 3)

    async def saved() -> bool:
        return (await _answer(svc, cid)).content == received

    await eventually(saved, "the streamed text saved")
    # The writer dies: it stops renewing (its task ends with the process), the lease runs out.
    await stream._turn.keeper.stop()
    run_out = update(conversation_table).values(generation_lease_expires=utc_now() - timedelta(1))
    await svc.db.write(lambda connection: connection.execute(run_out))
    assert await sweep.sweep_once(svc.db) == 1
    answer = await _answer(svc, cid)
    assert (answer.status, answer.content, answer.error_code) == ("FAILED", received, 14)
    assert answer.error_message == sweep.ABANDONED
    assert await _lease(svc, cid) == (None, None)
    assert await sweep.sweep_once(svc.db) == 0  # nothing twice
    fresh = await turns.send_message(svc, ALICE, cid, TurnInput("hello"))
    assert fresh.assistant_message.status == "COMPLETE"
    await stream.aclose()  # the late writer settles nothing over the recorded outcome
    await turns.drain_settlements()
    assert (await messages.get_message(svc, ALICE, cid, answer.id)).status == "FAILED"


async def test_a_turn_never_settled_stops_renewing_and_is_swept(svc: Services) -> None:
    # An answer may take 0.2 s: its keeper renews for that plus a lease (0.4 s), no longer.
    svc = dataclasses.replace(with_lease(svc, seconds=0.4), generation_timeout=0.2)
    cid = await _conversation(svc)
    # Never iterated nor closed, as when a stream's response is dropped before it starts.
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("lost"))

    async def swept() -> bool:
        return await sweep.sweep_once(svc.db) == 1

    await eventually(swept, "the forgotten turn's lease ran out and was swept")
    answer = await _answer(svc, cid)
    assert (answer.status, answer.error_code) == ("FAILED", 14)
    assert await _lease(svc, cid) == (None, None)
    await stream.aclose()
    await turns.drain_settlements()


# -- a dropped connection during the settle (PostgreSQL) ------------------------------


async def _terminate_connections_to(database: str) -> int:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()
    return len(killed)


@pytest.mark.postgres
async def test_settling_is_retried_through_a_dropped_connection(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = await Database.connect(postgres_url)
    registry = ProviderRegistry.from_config(
        {"local-echo": {"type": "echo"}},
        [{"id": "echo", "provider": "local-echo", "context_window": 200, "max_output_tokens": 50}],
    )
    try:
        truncate = text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await db.write(lambda connection: connection.execute(truncate))
        svc = Services(db=db, providers=registry, default_model="echo")
        cid = await _conversation(svc)
        echo = registry.provider("local-echo")
        generating = asyncio.Event()
        carry_on = asyncio.Event()
        original = echo.complete

        async def complete(request: CompletionRequest) -> Completion:
            generating.set()
            await carry_on.wait()
            return await original(request)

        echo.complete = complete  # type: ignore[method-assign]
        send = asyncio.create_task(turns.send_message(svc, ALICE, cid, TurnInput("hi")))
        async with asyncio.timeout(WAIT_SECONDS):
            await generating.wait()
        # Every connection this process holds dies, as in a database restart.
        assert await _terminate_connections_to(make_url(postgres_url).database or "") >= 1
        carry_on.set()
        with caplog.at_level(logging.WARNING, logger="domain.durable"):
            async with asyncio.timeout(WAIT_SECONDS):
                result = await send
        assert result.assistant_message.status == "COMPLETE"
        assert any("retrying" in record.message for record in caplog.records)
        # As another process sees it (this one's idle reader connections died too).
        other = await Database.connect(postgres_url)
        try:
            seen = dataclasses.replace(svc, db=other)
            assert await _lease(seen, cid) == (None, None)
            answer = await _answer(seen, cid)
            assert (answer.status, answer.content) == ("COMPLETE", "Echo: hi")
        finally:
            await other.close()
    finally:
        await registry.aclose()
        await db.close()


# -- upstream text no database can hold ---------------------------------------------


@pytest.fixture
async def upstream_svc(db: Database) -> AsyncIterator[tuple[Services, FakeOpenAIUpstream]]:
    with FakeOpenAIUpstream() as fake:
        registry = ProviderRegistry.from_config(
            {"up": {"type": "openai", "base_url": fake.base_url}},
            [{"id": "up", "provider": "up", "context_window": 1000, "max_output_tokens": 100}],
        )
        yield Services(db=db, providers=registry, default_model="up"), fake
        await registry.aclose()


async def test_u0000_and_lone_surrogates_from_upstream_are_stored_as_ufffd(
    upstream_svc: tuple[Services, FakeOpenAIUpstream],
) -> None:
    svc, fake = upstream_svc
    cid = await _conversation(svc, model="up")
    fake.script(Reply(text="nul\x00here broken\ud83d end"), Reply(text="whole\x00answer"))
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("go"))
    events = [event async for event in stream]
    deltas = "".join(payload["content"] for name, payload in events if name == "delta")
    assert deltas == "nul\ufffdhere broken\ufffd end"
    name, final = events[-1]
    assert (name, final["status"], final["content"]) == ("assistantMessage", "COMPLETE", deltas)
    stored = await messages.get_message(svc, ALICE, cid, final["name"].rsplit("/", 1)[-1])
    assert (stored.status, stored.content) == ("COMPLETE", deltas)

    sent = await turns.send_message(svc, ALICE, cid, TurnInput("again"))
    assert (sent.assistant_message.status, sent.assistant_message.content) == (
        "COMPLETE",
        "whole\ufffdanswer",
    )
    assert (await _answer(svc, cid)).content == "whole\ufffdanswer"
    assert await _lease(svc, cid) == (None, None)
