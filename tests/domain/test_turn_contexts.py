"""Turn contexts a process keeps (domain.turn_contexts): a conversation's next turn skips its
first read when this process settled the last one, and still sees every change another
process made meanwhile (the start is conditional on the etag it kept)."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from domain import conversations as conv
from domain import messages, turns
from domain.admission import LimitGate
from domain.conversations import ConversationFields
from domain.limits import Limits, LimitsConfig
from domain.services import Services
from domain.turn_contexts import ENTRY_OVERHEAD_BYTES, KnownContext, TurnContexts
from domain.turns import TurnInput
from errors import ApiError, Code
from server.state import settlements, turn_starts
from store.counters.memory import MemoryCounters
from store.database import Database
from tests.domain.conftest import ALICE
from tests.store.db_fixtures import conversation_row

pytestmark = pytest.mark.postgres  # the contexts are kept on PostgreSQL only


@pytest.fixture
def db_url(postgres_url: str) -> str:
    return postgres_url


@pytest.fixture
async def other(svc: Services, db_url: str) -> AsyncIterator[Services]:
    """Another server process on the same database: its own engine, batches and contexts."""
    db = await Database.connect(db_url)
    try:
        yield Services(
            db=db,
            providers=svc.providers,
            default_model="echo",
            turn_starts=turn_starts(db),
            settlements=settlements(db),
            turn_contexts=TurnContexts(),
        )
    finally:
        await db.close()


def _count_reads(svc: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first reads of turns (domain.turns' step 1) made through `svc` from now on."""
    reads: list[str] = []
    read = svc.db.read

    async def counted(unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if unit is turns._read_context:
            reads.append(args[1])
        return await read(unit, *args, **kwargs)

    monkeypatch.setattr(svc.db, "read", counted)
    return reads


async def _send(svc: Services, cid: str, text: str) -> int:
    """Sends `text`; the prompt's tokens the model was given."""
    result = await turns.send_message(svc, ALICE, cid, TurnInput(text))
    return result.assistant_message.input_tokens


async def _positions(svc: Services, cid: str) -> list[int]:
    page = await messages.list_messages(svc, ALICE, cid, size=100)
    return [m.position for m in page.items]


async def test_the_turns_of_a_conversation_this_process_made_and_answered_skip_their_read(
    svc: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    reads = _count_reads(svc, monkeypatch)
    assert await _send(svc, cid, "hello there") == 2
    # Its history is what a read would have given: "hello there", "Echo: hello there".
    assert await _send(svc, cid, "again") == 2 + 3 + 1
    assert await _send(svc, cid, "and again") == 2 + 3 + 1 + 2 + 2
    assert reads == []  # created here, then answered here
    assert await _positions(svc, cid) == [1, 2, 3, 4, 5, 6]
    made_elsewhere = (await conv.create_conversation(other, ALICE, ConversationFields())).id
    await _send(svc, made_elsewhere, "hi")
    await _send(svc, made_elsewhere, "hi")
    assert reads == [made_elsewhere]  # its first turn only


async def test_a_turn_sees_what_another_process_changed_since(
    svc: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    reads = _count_reads(svc, monkeypatch)
    assert await _send(svc, cid, "hello there") == 2  # known: made here
    assert await _send(other, cid, "from elsewhere") == 2 + 3 + 2
    # The etag this process kept is gone: nothing stored on it, then a read and the turn.
    assert await _send(svc, cid, "again") == 2 + 3 + 2 + 3 + 1
    assert await _positions(svc, cid) == [1, 2, 3, 4, 5, 6]
    # An edit elsewhere (a system prompt of two words) is seen too.
    brief = ConversationFields(system_prompt="be brief")
    await conv.update_conversation(other, ALICE, cid, brief, update_mask="systemPrompt")
    assert await _send(svc, cid, "x") == 2 + (2 + 3 + 2 + 3 + 1 + 2) + 1
    assert reads == [cid, cid]


async def test_an_edit_made_elsewhere_while_a_turn_is_generated_is_in_the_next_turn(
    svc: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The context kept after a turn is the conversation as its settlement left it, edits made
    meanwhile included: the etag it keeps is the settlement's, set after the edit."""
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    contexts = svc.turn_contexts
    assert contexts is not None
    slow = asyncio.create_task(_send(svc, cid, "a b c d e [echo:delay=200]"))
    for _ in range(1000):  # bounded: 5 s at least; the turn has started
        if contexts.get(ALICE.user_id, cid) is None:
            break
        await asyncio.sleep(0.005)
    brief = ConversationFields(system_prompt="be brief")
    await conv.update_conversation(other, ALICE, cid, brief, update_mask="systemPrompt")
    assert await slow == 6  # began before the edit
    reads = _count_reads(svc, monkeypatch)
    assert await _send(svc, cid, "now") == 2 + 6 + 7 + 1  # the edited system prompt
    assert reads == []  # known, edit included


async def test_a_conversation_deleted_and_made_again_elsewhere_is_the_new_one(
    svc: Services, other: Services
) -> None:
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields(), "again")).id
    await _send(svc, cid, "hello there")
    await conv.delete_conversation(other, ALICE, cid)
    await conv.create_conversation(other, ALICE, ConversationFields(), "again")
    assert await _send(svc, cid, "first") == 1  # no history: the new conversation's
    assert await _positions(svc, cid) == [1, 2]


def _known(conversation_id: str, text: str) -> KnownContext:
    return KnownContext(conversation_row(conversation_id), (("USER", text, "COMPLETE"),))


async def test_a_conversation_whose_turns_go_to_two_processes_is_read_each_turn(
    svc: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turns taking turns between two processes: each process finds its kept context stale
    once, then keeps none for that conversation (no start made in vain after that)."""
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    reads = _count_reads(svc, monkeypatch)
    starts = svc.turn_starts
    assert starts is not None
    for turn in range(6):
        await _send(svc if turn % 2 == 0 else other, cid, f"turn {turn}")
    assert reads == [cid] * 2  # turns 2 and 4 (the first's context was known: made here)
    assert starts.batches == 3 + 1  # the one start found stale, at turn 2
    assert await _positions(svc, cid) == list(range(1, 13))


async def test_an_edit_made_here_forgets_the_context_without_a_stale_start(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    await _send(svc, cid, "hello there")
    brief = ConversationFields(system_prompt="be brief")
    await conv.update_conversation(svc, ALICE, cid, brief, update_mask="systemPrompt")
    reads = _count_reads(svc, monkeypatch)
    assert await _send(svc, cid, "again") == 2 + 2 + 3 + 1
    assert await _send(svc, cid, "more") == 2 + 2 + 3 + 1 + 2 + 1  # kept again: no read
    assert reads == [cid]


async def test_a_second_send_while_one_is_generating_here_keeps_the_conversation_known(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turn in flight drops the kept context as it starts: a second send meanwhile reads and
    is refused (busy) without taking this process's own turn for another writer's change."""
    cid = (await conv.create_conversation(svc, ALICE, ConversationFields())).id
    contexts = svc.turn_contexts
    assert contexts is not None and contexts.get(ALICE.user_id, cid) is not None
    slow = asyncio.create_task(_send(svc, cid, "a b c d e [echo:delay=200]"))
    for _ in range(1000):  # bounded: 5 s at least
        if contexts.get(ALICE.user_id, cid) is None:
            break
        await asyncio.sleep(0.005)
    reads = _count_reads(svc, monkeypatch)
    with pytest.raises(ApiError) as busy:
        await _send(svc, cid, "me too")
    assert busy.value.code is Code.FAILED_PRECONDITION
    await slow
    assert await _send(svc, cid, "now") == 6 + 7 + 1  # its context known again: no read
    assert reads == [cid]  # the refused send's


async def test_a_capped_users_turns_read_and_leave_the_conversation_unshared(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user with a cap on message bytes starts turns in a transaction, which cannot check
    an etag: its turns read (no start in vain, no mark of a shared conversation)."""
    config = LimitsConfig(roles={"user": Limits(max_message_bytes=1_000_000)})
    capped = dataclasses.replace(svc, limits=LimitGate(svc.db, MemoryCounters(), config))
    cid = (await conv.create_conversation(capped, ALICE, ConversationFields())).id
    reads = _count_reads(svc, monkeypatch)
    await _send(capped, cid, "one")
    await _send(capped, cid, "two")
    await _send(svc, cid, "three")  # the cap lifted: read once more, then known
    await _send(svc, cid, "four")
    assert reads == [cid] * 3
    assert await _positions(svc, cid) == list(range(1, 9))


def test_contexts_are_bounded_by_their_text_least_recently_used_dropped_first() -> None:
    contexts = TurnContexts(max_bytes=3 * ENTRY_OVERHEAD_BYTES + 300)
    for name in ("a", "b", "c"):
        contexts.keep("alice", name, _known(name, "x" * 100))
    assert contexts.get("alice", "a") is not None  # "a" used: "b" is now the oldest
    contexts.keep("alice", "d", _known("d", "x" * 100))
    assert [contexts.get("alice", name) is not None for name in "abcd"] == [
        True,
        False,
        True,
        True,
    ]
    contexts.keep("alice", "huge", _known("huge", "x" * 10_000))  # more than the whole
    assert contexts.get("alice", "huge") is None and len(contexts) == 3
    contexts.forget("alice", "a")
    assert contexts.get("alice", "a") is None and contexts.get("bob", "c") is None


def test_a_shared_conversation_is_not_kept_until_its_mark_is_dropped() -> None:
    contexts = TurnContexts()
    contexts.keep("alice", "c", _known("c", "hi"))
    contexts.stale("alice", "c")
    contexts.forget("alice", "c")  # forgetting keeps the mark
    contexts.keep("alice", "c", _known("c", "hi"))
    assert contexts.get("alice", "c") is None and len(contexts) == 1
