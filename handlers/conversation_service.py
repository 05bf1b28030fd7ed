"""ConversationService: HTTP <-> domain.conversations."""

from domain import conversations, views
from domain.conversations import ConversationFields
from handlers._context import caller, services
from handlers.api_types import Conversation, ListConversationsResponse


def _fields(body: Conversation) -> ConversationFields:
    return ConversationFields(
        title=body.get("title") or "",
        model=body.get("model") or "",
        system_prompt=body.get("systemPrompt") or "",
    )


async def create_conversation(body: Conversation, conversation_id: str = "") -> Conversation:
    row = await conversations.create_conversation(
        services(), caller(), _fields(body), conversation_id or ""
    )
    return views.conversation(row)


async def list_conversations(
    page_size: int | None = None, page_token: str = ""
) -> ListConversationsResponse:
    page = await conversations.list_conversations(
        services(), caller(), size=page_size, token=page_token or ""
    )
    return ListConversationsResponse(
        conversations=[views.conversation(row) for row in page.items],
        nextPageToken=page.next_page_token,
    )


async def get_conversation(conversation: str) -> Conversation:
    return views.conversation(
        await conversations.get_conversation(services(), caller(), conversation)
    )


async def update_conversation(
    conversation: str, body: Conversation, update_mask: str = ""
) -> Conversation:
    row = await conversations.update_conversation(
        services(),
        caller(),
        conversation,
        _fields(body),
        update_mask=update_mask or "",
        etag=body.get("etag") or "",
    )
    return views.conversation(row)


async def delete_conversation(conversation: str, etag: str = "") -> dict[str, object]:
    await conversations.delete_conversation(services(), caller(), conversation, etag=etag or "")
    return {}  # google.protobuf.Empty
