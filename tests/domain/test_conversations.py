"""Conversations: ownership, client ids, update masks, etags, keyset pagination."""

import asyncio

import pytest

from domain import conversations as conv
from domain.conversations import ConversationFields
from domain.services import Services
from errors import ApiError, Code
from tests.domain.conftest import ALICE, BOB, api_error


async def test_create_fills_defaults(svc: Services) -> None:
    row = await conv.create_conversation(svc, ALICE, ConversationFields(title="t"))
    assert row.model == "echo" and row.message_count == 0 and row.etag
    assert conv.CONVERSATION_ID.match(row.id)
    assert row.create_time == row.update_time


async def test_client_chosen_id_and_already_exists(svc: Services) -> None:
    await conv.create_conversation(svc, ALICE, ConversationFields(), "my-chat")
    code = (
        await api_error(conv.create_conversation(svc, ALICE, ConversationFields(), "my-chat"))
    ).code
    assert code == Code.ALREADY_EXISTS
    # Ids are per user: Bob may use the same id, and learns nothing about Alice's.
    assert (
        await conv.create_conversation(svc, BOB, ConversationFields(), "my-chat")
    ).id == "my-chat"


@pytest.mark.parametrize("bad", ["Abc1", "abc", "1abc", "a" * 64, "ab_c"])
async def test_bad_client_id_is_invalid(svc: Services, bad: str) -> None:
    code = (await api_error(conv.create_conversation(svc, ALICE, ConversationFields(), bad))).code
    assert code == Code.INVALID_ARGUMENT


async def test_unknown_model_is_invalid_argument(svc: Services) -> None:
    code = (
        await api_error(conv.create_conversation(svc, ALICE, ConversationFields(model="nope")))
    ).code
    assert code == Code.INVALID_ARGUMENT


async def test_other_users_conversation_is_not_found(svc: Services) -> None:
    row = await conv.create_conversation(svc, ALICE, ConversationFields())
    assert (await api_error(conv.get_conversation(svc, BOB, row.id))).code == Code.NOT_FOUND
    fields = ConversationFields(title="x")
    assert (
        await api_error(conv.update_conversation(svc, BOB, row.id, fields))
    ).code == Code.NOT_FOUND
    assert (await api_error(conv.delete_conversation(svc, BOB, row.id))).code == Code.NOT_FOUND
    assert (await conv.get_conversation(svc, ALICE, row.id)).id == row.id


async def test_update_mask_limits_the_change_and_etag_moves(svc: Services) -> None:
    row = await conv.create_conversation(
        svc, ALICE, ConversationFields(title="a", system_prompt="be brief")
    )
    fields = ConversationFields(title="b", system_prompt="ignored", model="echo-large")
    updated = await conv.update_conversation(svc, ALICE, row.id, fields, update_mask="title")
    assert (updated.title, updated.system_prompt, updated.model) == ("b", "be brief", "echo")
    assert updated.etag != row.etag and updated.update_time >= row.update_time
    both = await conv.update_conversation(
        svc, ALICE, row.id, fields, update_mask="systemPrompt,model"
    )
    assert (both.title, both.system_prompt, both.model) == ("b", "ignored", "echo-large")
    snake = await conv.update_conversation(
        svc, ALICE, row.id, ConversationFields(system_prompt="s"), update_mask="system_prompt"
    )
    assert snake.system_prompt == "s"


async def test_empty_mask_replaces_every_mutable_field(svc: Services) -> None:
    row = await conv.create_conversation(
        svc, ALICE, ConversationFields(title="a", system_prompt="p", model="echo-large")
    )
    updated = await conv.update_conversation(svc, ALICE, row.id, ConversationFields(title="z"))
    assert (updated.title, updated.system_prompt, updated.model) == ("z", "", "echo")


@pytest.mark.parametrize(
    "mask", ["etag", "title,name", "createTime", "bogus", "title, model", "title,,model", " title"]
)
async def test_unknown_or_immutable_mask_path_is_invalid(svc: Services, mask: str) -> None:
    row = await conv.create_conversation(svc, ALICE, ConversationFields(title="a"))
    fields = ConversationFields(title="b")
    code = (
        await api_error(conv.update_conversation(svc, ALICE, row.id, fields, update_mask=mask))
    ).code
    assert code == Code.INVALID_ARGUMENT
    assert (await conv.get_conversation(svc, ALICE, row.id)).title == "a"


async def test_stale_etag_aborts_and_changes_nothing(svc: Services) -> None:
    row = await conv.create_conversation(svc, ALICE, ConversationFields(title="a"))
    fresh = await conv.update_conversation(
        svc, ALICE, row.id, ConversationFields(title="b"), update_mask="title", etag=row.etag
    )
    stale = conv.update_conversation(
        svc, ALICE, row.id, ConversationFields(title="c"), update_mask="title", etag=row.etag
    )
    assert (await api_error(stale)).code == Code.ABORTED
    current = await conv.get_conversation(svc, ALICE, row.id)
    assert (current.title, current.etag) == ("b", fresh.etag)
    assert (
        await api_error(conv.delete_conversation(svc, ALICE, row.id, etag=row.etag))
    ).code == Code.ABORTED
    await conv.delete_conversation(svc, ALICE, row.id, etag=fresh.etag)
    assert (await api_error(conv.get_conversation(svc, ALICE, row.id))).code == Code.NOT_FOUND


async def test_concurrent_updates_with_one_etag_have_one_winner(svc: Services) -> None:
    row = await conv.create_conversation(svc, ALICE, ConversationFields(title="a"))

    async def update(title: str) -> str:
        try:
            await conv.update_conversation(
                svc,
                ALICE,
                row.id,
                ConversationFields(title=title),
                update_mask="title",
                etag=row.etag,
            )
        except ApiError as error:
            return error.code.name
        return "OK"

    results = await asyncio.gather(*(update(f"t{i}") for i in range(6)))
    assert sorted(results) == ["ABORTED"] * 5 + ["OK"]


async def test_pagination_survives_concurrent_inserts(svc: Services) -> None:
    for i in range(7):
        await conv.create_conversation(svc, ALICE, ConversationFields(title=f"c{i}"))
    await conv.create_conversation(svc, BOB, ConversationFields(title="bob's"))
    expected = [f"c{i}" for i in reversed(range(7))]
    seen: list[str] = []
    token = ""
    for page_number in range(10):
        page = await conv.list_conversations(svc, ALICE, size=3, token=token)
        seen += [row.title for row in page.items]
        if page_number == 0:  # new conversations arrive while the client pages
            for j in range(3):
                await conv.create_conversation(svc, ALICE, ConversationFields(title=f"new{j}"))
        token = page.next_page_token
        if not token:
            break
    assert seen == expected  # no duplicates, no gaps, newest first
    full = await conv.list_conversations(svc, ALICE, size=1000)
    assert len(full.items) == 10 and full.next_page_token == ""


async def test_page_size_bounds_and_foreign_token(svc: Services) -> None:
    for i in range(3):
        await conv.create_conversation(svc, ALICE, ConversationFields(title=f"c{i}"))
    assert (
        await api_error(conv.list_conversations(svc, ALICE, size=1001))
    ).code == Code.INVALID_ARGUMENT
    assert len((await conv.list_conversations(svc, ALICE, size=0)).items) == 3  # 0 = default
    token = (await conv.list_conversations(svc, ALICE, size=1)).next_page_token
    assert (
        await api_error(conv.list_conversations(svc, BOB, token=token))
    ).code == Code.INVALID_ARGUMENT
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert (
        await api_error(conv.list_conversations(svc, ALICE, token=tampered))
    ).code == Code.INVALID_ARGUMENT


def test_parse_update_mask() -> None:
    assert conv.parse_update_mask("") == ("title", "model", "system_prompt")
    assert conv.parse_update_mask("*") == ("title", "model", "system_prompt")
    assert conv.parse_update_mask("title,title") == ("title",)
