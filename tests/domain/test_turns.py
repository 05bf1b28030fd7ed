"""Conversation turns against the echo provider: nothing lost, one answer at a time."""

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, update

from domain import conversations as conv
from domain import messages, turns, usage
from domain.conversations import ConversationFields
from domain.services import Services
from domain.turns import TurnInput
from errors import ApiError, Code
from providers.base import GenerationParams
from store.clock import utc_now
from store.database import Database
from store.records import MessageRow
from store.tables import conversations as conversation_table
from store.tables import messages as message_table
from tests.domain.conftest import ALICE, BOB, api_error


async def _conversation(svc: Services, **fields: str) -> str:
    return (await conv.create_conversation(svc, ALICE, ConversationFields(**fields))).id


async def _thread(svc: Services, conversation_id: str) -> list[MessageRow]:
    return (await messages.list_messages(svc, ALICE, conversation_id, size=1000)).items


async def _lock_holder(svc: Services, conversation_id: str) -> str | None:
    return (await conv.get_conversation(svc, ALICE, conversation_id)).generating_message_id


async def test_send_stores_both_messages_and_usage(svc: Services) -> None:
    cid = await _conversation(svc)
    result = await turns.send_message(svc, ALICE, cid, TurnInput("hello there"))
    user, answer = result.user_message, result.assistant_message
    assert (user.role, user.status, user.content, user.position) == (
        "USER",
        "COMPLETE",
        "hello there",
        1,
    )
    assert (answer.role, answer.status, answer.content) == (
        "ASSISTANT",
        "COMPLETE",
        "Echo: hello there",
    )
    assert (answer.finish_reason, answer.model, answer.error_code) == ("stop", "echo", None)
    assert (answer.input_tokens, answer.output_tokens) == (2, 3)
    conversation = await conv.get_conversation(svc, ALICE, cid)
    assert conversation.message_count == 2 and conversation.generating_message_id is None
    report = await usage.get_usage(svc, ALICE)
    assert [(r.model, r.requests, r.input_tokens, r.output_tokens) for r in report.rows] == [
        ("echo", 1, 2, 3)
    ]


async def test_history_is_sent_with_the_new_message(svc: Services) -> None:
    cid = await _conversation(svc, system_prompt="be kind")
    await turns.send_message(svc, ALICE, cid, TurnInput("hello there"))
    second = await turns.send_message(svc, ALICE, cid, TurnInput("again"))
    # prompt words: system 2 + "hello there" 2 + "Echo: hello there" 3 + "again" 1
    assert second.assistant_message.input_tokens == 8
    assert [m.position for m in await _thread(svc, cid)] == [1, 2, 3, 4]


async def test_oldest_turns_are_dropped_to_fit_the_context_window(svc: Services) -> None:
    cid = await _conversation(svc)  # model `echo`: 200 tokens, 50 of them for the answer
    words = " ".join(["word"] * 30)
    for _ in range(3):
        await turns.send_message(svc, ALICE, cid, TurnInput(words))
    last = await turns.send_message(svc, ALICE, cid, TurnInput("short"))
    # Room for one earlier turn only: 30 words + "Echo: " and 30 words = 61, plus "short".
    assert last.assistant_message.input_tokens == 30 + 31 + 1


async def test_history_longer_than_a_read_batch_is_sent_whole(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """History is read in batches (on PostgreSQL the first comes with the conversation):
    a thread of several batches reaches the prompt whole, oldest turn included."""
    monkeypatch.setattr(turns, "HISTORY_BATCH", 4)
    cid = await _conversation(svc)
    for word in ("one", "two", "three", "four", "five", "six"):
        await turns.send_message(svc, ALICE, cid, TurnInput(word))
    last = await turns.send_message(svc, ALICE, cid, TurnInput("seven"))
    # Six earlier turns of 1 + 2 words ("Echo: one"), then "seven".
    assert last.assistant_message.input_tokens == 6 * 3 + 1
    assert len(await _thread(svc, cid)) == 14


async def test_message_that_cannot_fit_is_out_of_range_and_not_stored(svc: Services) -> None:
    cid = await _conversation(svc)
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("x " * 300)))
    assert error.code == Code.OUT_OF_RANGE
    assert await _thread(svc, cid) == []
    params = GenerationParams(max_tokens=51)  # above the model's 50
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("hi", params=params)))
    assert error.code == Code.OUT_OF_RANGE


async def test_max_tokens_and_stop_sequences(svc: Services) -> None:
    cid = await _conversation(svc)
    short = await turns.send_message(
        svc, ALICE, cid, TurnInput("one two three", params=GenerationParams(max_tokens=2))
    )
    assert (short.assistant_message.content, short.assistant_message.finish_reason) == (
        "Echo: one ",
        "length",
    )
    assert short.assistant_message.output_tokens == 2
    stopped = await turns.send_message(
        svc, ALICE, cid, TurnInput("one two three", params=GenerationParams(stop=("three", "tw")))
    )
    assert stopped.assistant_message.content == "Echo: one "
    assert stopped.assistant_message.finish_reason == "stop_sequence"


async def test_provider_failure_is_stored_failed_and_raised(svc: Services) -> None:
    cid = await _conversation(svc)
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("hi [echo:fail=14]")))
    assert error.code == Code.UNAVAILABLE
    user, answer = await _thread(svc, cid)
    assert user.status == "COMPLETE"
    assert (answer.status, answer.error_code) == ("FAILED", 14)
    assert "scripted failure" in (answer.error_message or "")
    assert await _lock_holder(svc, cid) is None
    report = await usage.get_usage(svc, ALICE)
    assert [(r.requests, r.input_tokens, r.output_tokens) for r in report.rows] == [(1, 0, 0)]
    # The failed turn is left out of the next prompt: only "next" is sent.
    nxt = await turns.send_message(svc, ALICE, cid, TurnInput("next"))
    assert nxt.assistant_message.input_tokens == 1


async def test_model_checks(svc: Services) -> None:
    cid = await _conversation(svc)
    unknown = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("x", model="nope")))
    assert unknown.code == Code.INVALID_ARGUMENT
    disabled = turns.send_message(svc, ALICE, cid, TurnInput("x", model="echo-disabled"))
    error = await api_error(disabled)
    assert error.code == Code.FAILED_PRECONDITION and "disabled" in error.message
    assert (
        await api_error(turns.send_message(svc, BOB, cid, TurnInput("x")))
    ).code == Code.NOT_FOUND
    other = await turns.send_message(svc, ALICE, cid, TurnInput("x", model="echo-large"))
    assert other.assistant_message.model == "echo-large"


async def test_conversation_whose_model_left_the_catalog(svc: Services) -> None:
    cid = await _conversation(svc)
    # A model the catalog no longer has (as after a configuration change and a restart), set
    # behind the server's back: with a new etag, as every writer of a conversation sets one.
    retire = update(conversation_table).values(model="retired", etag="changed-elsewhere")
    await svc.db.write(lambda connection: connection.execute(retire))
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("x")))
    assert error.code == Code.FAILED_PRECONDITION


async def test_second_send_while_generating_is_refused(svc: Services) -> None:
    cid = await _conversation(svc)
    slow = asyncio.create_task(
        turns.send_message(svc, ALICE, cid, TurnInput("a b c d e [echo:delay=200]"))
    )
    for _ in range(1000):  # bounded: 5 s at least
        if await _lock_holder(svc, cid):
            break
        await asyncio.sleep(0.005)
    error = await api_error(turns.send_message(svc, ALICE, cid, TurnInput("me too")))
    assert error.code == Code.FAILED_PRECONDITION
    streamed = await api_error(turns.stream_message(svc, ALICE, cid, TurnInput("me too")))
    assert streamed.code == Code.FAILED_PRECONDITION
    await slow
    assert [m.content for m in await _thread(svc, cid)] == [
        "a b c d e [echo:delay=200]",
        "Echo: a b c d e [echo:delay=200]",
    ]
    await turns.send_message(svc, ALICE, cid, TurnInput("now"))  # the lock was released


async def test_concurrent_sends_produce_one_answer(svc: Services) -> None:
    cid = await _conversation(svc)

    async def send(i: int) -> str:
        try:
            await turns.send_message(svc, ALICE, cid, TurnInput(f"m{i} [echo:delay=5]"))
        except ApiError as error:
            return error.code.name
        return "OK"

    results = await asyncio.gather(*(send(i) for i in range(5)))
    thread = await _thread(svc, cid)
    assert results.count("OK") == len(thread) // 2 >= 1
    assert set(results) <= {"OK", "FAILED_PRECONDITION"}
    assert [m.role for m in thread] == ["USER", "ASSISTANT"] * (len(thread) // 2)


async def test_turns_of_many_conversations_at_once_are_each_stored_whole(svc: Services) -> None:
    """Turns in flight together (their starts and settlements batched on PostgreSQL, as a
    server does): each conversation gets each of its turns in order, with its own text, and
    each user's usage and bytes count every turn."""
    users = {"alice": ALICE, "bob": BOB}
    conversations = [
        (
            user,
            (await conv.create_conversation(svc, caller, ConversationFields())).id,
        )
        for user, caller in users.items()
        for _ in range(4)
    ]

    async def turns_of(user: str, cid: str) -> None:
        for turn in range(3):
            text = f"{cid} turn {turn} [echo:delay=1]"
            await turns.send_message(svc, users[user], cid, TurnInput(text))

    await asyncio.gather(*(turns_of(user, cid) for user, cid in conversations))
    for user, cid in conversations:
        thread = (await messages.list_messages(svc, users[user], cid, size=100)).items
        assert [(m.position, m.role, m.status) for m in thread] == [
            (n + 1, role, "COMPLETE") for n, role in enumerate(["USER", "ASSISTANT"] * 3)
        ]
        assert [m.content for m in thread[::2]] == [
            f"{cid} turn {turn} [echo:delay=1]" for turn in range(3)
        ]
        assert all(answer.content.startswith("Echo: ") for answer in thread[1::2])
        conversation = await conv.get_conversation(svc, users[user], cid)
        assert conversation.generating_message_id is None and conversation.message_count == 6
    for caller in users.values():
        report = await usage.get_usage(svc, caller)
        assert [(r.model, r.requests) for r in report.rows] == [("echo", 12)]
    if svc.settlements is not None and svc.turn_starts is not None:  # PostgreSQL: batched
        assert svc.settlements.batches < 24 and svc.turn_starts.batches < 24


async def test_stale_lock_is_taken_over_and_its_answer_failed(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("abandoned"))
    holder = await _lock_holder(svc, cid)
    assert holder is not None
    # Pretend the process writing it died: its lease ran out (the stream is never iterated).
    run_out = update(conversation_table).values(generation_lease_expires=utc_now() - timedelta(1))
    await svc.db.write(lambda connection: connection.execute(run_out))
    fresh = await turns.send_message(svc, ALICE, cid, TurnInput("hello"))
    assert fresh.assistant_message.status == "COMPLETE"
    old = await messages.get_message(svc, ALICE, cid, holder)
    assert (old.status, old.error_code) == ("FAILED", 14)
    await stream.aclose()  # the late process settles nothing over the recorded outcome
    await turns.drain_settlements()
    assert (await messages.get_message(svc, ALICE, cid, holder)).status == "FAILED"
    assert await _lock_holder(svc, cid) is None


async def _events(stream: turns.TurnStream) -> list[tuple[str, Mapping[str, Any]]]:
    return [event async for event in stream]


async def test_stream_events_and_stored_answer(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("one two three"))
    events = await _events(stream)
    names = [name for name, _ in events]
    assert names == ["userMessage", "delta", "delta", "delta", "delta", "assistantMessage"]
    assert events[0][1]["content"] == "one two three" and events[0][1]["status"] == "COMPLETE"
    deltas = [payload["content"] for name, payload in events if name == "delta"]
    assert "".join(deltas) == "Echo: one two three"
    final = events[-1][1]
    assert (final["status"], final["content"], final["finishReason"]) == (
        "COMPLETE",
        "Echo: one two three",
        "STOP",
    )
    assert final["usage"] == {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}
    assert all(p["name"] == final["name"] for n, p in events if n == "delta")
    assert await _lock_holder(svc, cid) is None


async def test_stream_failure_midway_ends_with_an_error_event(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b c d [echo:fail-after=2]"))
    events = await _events(stream)
    assert [name for name, _ in events] == ["userMessage", "delta", "delta", "error"]
    assert events[-1][1]["code"] == 14 and events[-1][1]["message"]
    answer = (await _thread(svc, cid))[1]
    assert (answer.status, answer.content, answer.error_code) == ("FAILED", "Echo: a ", 14)
    assert answer.output_tokens > 0  # partial work is counted
    assert await _lock_holder(svc, cid) is None


async def test_stream_cancelled_by_the_consumer_keeps_the_partial_text(svc: Services) -> None:
    cid = await _conversation(svc)
    words = " ".join(f"w{i}" for i in range(40))
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput(f"{words} [echo:delay=50]"))
    received: list[str] = []

    async def consume() -> None:
        async for name, payload in stream:
            if name == "delta":
                received.append(payload["content"])

    task = asyncio.create_task(consume())
    for _ in range(2000):
        if len(received) >= 3:
            break
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await turns.drain_settlements()
    answer = (await _thread(svc, cid))[1]
    assert answer.status == "CANCELLED"
    assert answer.content.startswith("".join(received)) and len(received) >= 3
    assert answer.content != "Echo: " + words
    assert await _lock_holder(svc, cid) is None
    report = await usage.get_usage(svc, ALICE)
    assert report.total_requests == 1


async def test_stream_closed_early_is_cancelled(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b c d e f"))
    seen = [await stream.__anext__(), await stream.__anext__(), await stream.__anext__()]
    assert [name for name, _ in seen] == ["userMessage", "delta", "delta"]
    await stream.aclose()
    answer = (await _thread(svc, cid))[1]
    assert (answer.status, answer.content) == ("CANCELLED", "Echo: a ")


async def test_stream_never_started_is_cancelled(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b"))
    await stream.aclose()
    answer = (await _thread(svc, cid))[1]
    assert (answer.status, answer.content) == ("CANCELLED", "")
    assert await _lock_holder(svc, cid) is None


async def test_send_cancelled_mid_generation(svc: Services) -> None:
    cid = await _conversation(svc)
    task = asyncio.create_task(
        turns.send_message(svc, ALICE, cid, TurnInput("a b c d e f g [echo:delay=200]"))
    )
    for _ in range(1000):  # bounded: 5 s at least
        if await _lock_holder(svc, cid):
            break
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await turns.drain_settlements()
    answer = (await _thread(svc, cid))[1]
    assert answer.status == "CANCELLED"
    assert await _lock_holder(svc, cid) is None


async def test_conversation_deleted_during_generation(svc: Services) -> None:
    cid = await _conversation(svc)
    stream = await turns.stream_message(svc, ALICE, cid, TurnInput("a b"))
    await conv.delete_conversation(svc, ALICE, cid)
    events = await _events(stream)
    assert events[-1][0] == "assistantMessage" and events[-1][1]["content"] == "Echo: a b"

    def left(connection: Connection) -> list[int]:
        return list(connection.execute(select(message_table.c.pk)).scalars())

    assert await svc.db.read(left) == []


async def test_list_and_get_messages(svc: Services) -> None:
    cid = await _conversation(svc)
    for i in range(3):
        await turns.send_message(svc, ALICE, cid, TurnInput(f"m{i}"))
    seen: list[int] = []
    token = ""
    for _ in range(10):
        page = await messages.list_messages(svc, ALICE, cid, size=4, token=token)
        seen += [m.position for m in page.items]
        if not seen[4:]:  # a turn lands between two pages: it is appended, not interleaved
            await turns.send_message(svc, ALICE, cid, TurnInput("late"))
        token = page.next_page_token
        if not token:
            break
    assert seen == list(range(1, 9))
    first = (await _thread(svc, cid))[0]
    assert (await messages.get_message(svc, ALICE, cid, first.id)).content == "m0"
    bob = await api_error(messages.get_message(svc, BOB, cid, first.id))
    assert bob.code == Code.NOT_FOUND
    assert (await api_error(messages.list_messages(svc, BOB, cid))).code == Code.NOT_FOUND
    missing = await api_error(messages.get_message(svc, ALICE, cid, "m-nope"))
    assert missing.code == Code.NOT_FOUND
    other = await conv.create_conversation(svc, ALICE, ConversationFields())
    token = (await messages.list_messages(svc, ALICE, cid, size=1)).next_page_token
    foreign = await api_error(messages.list_messages(svc, ALICE, other.id, token=token))
    assert foreign.code == Code.INVALID_ARGUMENT


async def test_two_processes_share_the_generation_lock(svc: Services, db_url: str) -> None:
    """Two Database objects (two engines, as two server processes would have) on one database."""
    other_db = await Database.connect(db_url)
    other = Services(db=other_db, providers=svc.providers, default_model="echo")
    try:
        cid = await _conversation(svc)

        async def send(services: Services, text: str) -> str:
            try:
                await turns.send_message(services, ALICE, cid, TurnInput(text))
            except ApiError as error:
                return error.code.name
            return "OK"

        results = await asyncio.gather(
            send(svc, "one [echo:delay=200] a b"), send(other, "two [echo:delay=200] a b")
        )
        assert sorted(results) == ["FAILED_PRECONDITION", "OK"]
        thread = await _thread(other, cid)
        assert [m.status for m in thread] == ["COMPLETE", "COMPLETE"]
    finally:
        await other_db.close()
