"""OpenAIService: OpenAI's Chat Completions and Models endpoints over our catalog."""

from typing import Any

from starlette.responses import StreamingResponse

from domain import chat_completions, embeddings
from handlers._context import caller, services
from server.sse import openai_sse_response


async def create_chat_completion(
    body: dict[str, Any],
) -> tuple[dict[str, Any], int, dict[str, str]] | StreamingResponse:
    svc = services()
    chat = await chat_completions.prepare(svc, body)  # fails before any byte of a stream is sent
    streamed = bool(body.get("stream"))
    ticket = await chat_completions.admit(svc, caller(), chat, stream=streamed)  # 7, 8 likewise
    if streamed:
        events = chat_completions.stream(svc, caller(), chat, ticket)
        return openai_sse_response(events, ticket.rate_headers())
    # The operation declares JSON and an event stream: Connexion needs to be told which.
    answer = await chat_completions.complete(svc, caller(), chat, ticket)
    return answer, 200, {"Content-Type": "application/json", **ticket.rate_headers()}


async def list_open_ai_models() -> dict[str, Any]:
    return chat_completions.list_models(services())


async def create_embedding(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    answer, headers = await embeddings.create(services(), caller(), body)  # 7, 8 before the call
    return answer, 200, headers
