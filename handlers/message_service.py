"""MessageService: HTTP <-> domain.turns (send, stream) and domain.messages (list, get)."""

from starlette.responses import Response

from domain import messages, turns, views
from domain.turn_requests import turn_input
from handlers._context import caller, services
from handlers.api_types import (
    ListMessagesResponse,
    Message,
    SendMessageRequest,
    SendMessageResponse,
)
from server.sse import sse_response


async def send_message(conversation: str, body: SendMessageRequest) -> SendMessageResponse:
    result = await turns.send_message(services(), caller(), conversation, turn_input(body))
    return SendMessageResponse(
        userMessage=views.message(result.user_message, conversation),
        assistantMessage=views.message(result.assistant_message, conversation),
    )


async def stream_message(conversation: str, body: SendMessageRequest) -> Response:
    # Errors before the first event (5, 9, 11, ...) are raised here, as plain HTTP errors.
    stream = await turns.stream_message(services(), caller(), conversation, turn_input(body))
    return sse_response(stream)


async def list_messages(
    conversation: str, page_size: int | None = None, page_token: str = ""
) -> ListMessagesResponse:
    page = await messages.list_messages(
        services(), caller(), conversation, size=page_size, token=page_token or ""
    )
    return ListMessagesResponse(
        messages=[views.message(row, conversation) for row in page.items],
        nextPageToken=page.next_page_token,
    )


async def get_message(conversation: str, message: str) -> Message:
    row = await messages.get_message(services(), caller(), conversation, message)
    return views.message(row, conversation)
