"""Reading a conversation's messages: list (oldest first, keyset by position) and get."""

from sqlalchemy import Connection

from domain.conversations import not_found
from domain.identity import Caller
from domain.paging import Page, page, page_size
from domain.services import Services
from errors import ApiError, Code
from store import conversations as conversation_repo
from store import messages as repo
from store import page_tokens
from store.compiled import compiled_only
from store.records import MessageRow


async def list_messages(
    svc: Services, caller: Caller, conversation_id: str, *, size: int | None = None, token: str = ""
) -> Page[MessageRow]:
    """A page of the thread, oldest first. Positions never change, so pages are stable
    while new messages are appended: no duplicates, no gaps."""
    limit = page_size(size)
    scope = f"{caller.user_id}/{conversation_id}"
    after = 0
    if token:
        (position,) = page_tokens.decode(token, "messages", scope, 1)
        if not isinstance(position, int) or position < 0:
            raise ApiError(Code.INVALID_ARGUMENT, "page_token is not a token this server issued")
        after = position

    @compiled_only
    def read(connection: Connection) -> list[MessageRow]:
        conversation = conversation_repo.get(connection, caller.user_id, conversation_id)
        if conversation is None:
            raise not_found(conversation_id)
        return repo.list_page(connection, conversation.pk, after, limit + 1)

    rows = await svc.db.read(read)
    return page(rows, limit, lambda last: page_tokens.encode("messages", scope, [last.position]))


async def get_message(
    svc: Services, caller: Caller, conversation_id: str, message_id: str
) -> MessageRow:

    @compiled_only
    def read(connection: Connection) -> MessageRow | None:
        conversation = conversation_repo.get(connection, caller.user_id, conversation_id)
        if conversation is None:
            raise not_found(conversation_id)
        return repo.get(connection, conversation.pk, message_id)

    row = await svc.db.read(read)
    if row is None:
        raise ApiError(
            Code.NOT_FOUND, f"message {message_id!r} not found in conversation {conversation_id!r}"
        )
    return row
