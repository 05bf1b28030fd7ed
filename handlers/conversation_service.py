"""ConversationService: HTTP <-> domain.conversations."""

from collections.abc import Mapping
from typing import Any

from domain import conversations, views
from domain.conversations import ConversationFields
from handlers._context import caller, services


def _fields(body: Mapping[str, Any]) -> ConversationFields:
    return ConversationFields(
        title=body.get("title") or "",
        model=body.get("model") or "",
        system_prompt=body.get("systemPrompt") or "",
    )


async def create_conversation(body: Mapping[str, Any], conversation_id: str = "") -> dict[str, Any]:
    row = await conversations.create_conversation(
        services(), caller(), _fields(body), conversation_id or ""
    )
    return views.conversation(row)


async def list_conversations(page_size: int | None = None, page_token: str = "") -> dict[str, Any]:
    page = await conversations.list_conversations(
        services(), caller(), size=page_size, token=page_token or ""
    )
    return {
        "conversations": [views.conversation(row) for row in page.items],
        "nextPageToken": page.next_page_token,
    }


async def get_conversation(conversation: str) -> dict[str, Any]:
    return views.conversation(
        await conversations.get_conversation(services(), caller(), conversation)
    )


async def update_conversation(
    conversation: str, body: Mapping[str, Any], update_mask: str = ""
) -> dict[str, Any]:
    row = await conversations.update_conversation(
        services(),
        caller(),
        conversation,
        _fields(body),
        update_mask=update_mask or "",
        etag=body.get("etag") or "",
    )
    return views.conversation(row)


async def delete_conversation(conversation: str, etag: str = "") -> dict[str, Any]:
    await conversations.delete_conversation(services(), caller(), conversation, etag=etag or "")
    return {}
