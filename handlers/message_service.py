"""MessageService: HTTP <-> domain.turns (send, stream) and domain.messages (list, get)."""

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from domain import messages, turns, views
from domain.turns import TurnInput
from handlers._context import caller, services
from providers.base import GenerationParams
from server.sse import sse_response


def _turn(body: Mapping[str, Any]) -> TurnInput:
    return TurnInput(
        content=body.get("content") or "",
        model=body.get("model") or "",
        params=GenerationParams(
            max_tokens=body.get("maxTokens"),
            temperature=body.get("temperature"),
            top_p=body.get("topP"),
            stop=tuple(body.get("stop") or ()),
        ),
    )


async def send_message(conversation: str, body: Mapping[str, Any]) -> dict[str, Any]:
    result = await turns.send_message(services(), caller(), conversation, _turn(body))
    return {
        "userMessage": views.message(result.user_message, conversation),
        "assistantMessage": views.message(result.assistant_message, conversation),
    }


async def stream_message(conversation: str, body: Mapping[str, Any]) -> Response:
    # Errors before the first event (5, 9, 11, ...) are raised here, as plain HTTP errors.
    stream = await turns.stream_message(services(), caller(), conversation, _turn(body))
    return sse_response(stream)


async def list_messages(
    conversation: str, page_size: int | None = None, page_token: str = ""
) -> dict[str, Any]:
    page = await messages.list_messages(
        services(), caller(), conversation, size=page_size, token=page_token or ""
    )
    return {
        "messages": [views.message(row, conversation) for row in page.items],
        "nextPageToken": page.next_page_token,
    }


async def get_message(conversation: str, message: str) -> dict[str, Any]:
    row = await messages.get_message(services(), caller(), conversation, message)
    return views.message(row, conversation)
