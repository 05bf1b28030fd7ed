"""Server-Sent Events responses.

The events iterator is closed in every case (end, error, client gone) so the
domain can store what happened: a client that disconnects cancels the body
task, which closes the iterator, and the partial answer is kept as CANCELLED.
"""

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import orjson
from starlette.responses import StreamingResponse

from server.context import note_error

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ClosableEvents(Protocol):
    def __aiter__(self) -> AsyncIterator[tuple[str, Mapping[str, Any]]]: ...
    async def aclose(self) -> None: ...


# Characters that SSE does not treat as line ends but many clients' line readers
# do (Python's str.splitlines, as in httpx's iter_lines): sent JSON-escaped, so
# a `data:` line reaches every client whole.
_LINE_BREAKERS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _dumps(payload: Mapping[str, Any]) -> str:
    # orjson: compact and UTF-8 like json.dumps(separators=(",", ":"), ensure_ascii=False),
    # at a fraction of the cost per event.
    return orjson.dumps(payload).decode().translate(_LINE_BREAKERS)


def sse_response(events: ClosableEvents) -> StreamingResponse:
    """`event: <name>` + `data: <json>` per event."""

    async def body() -> AsyncIterator[str]:
        try:
            async for name, payload in events:
                if name == "error":
                    note_error(payload["code"], payload["message"])
                yield f"event: {name}\ndata: {_dumps(payload)}\n\n"
        finally:
            await events.aclose()

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


def openai_sse_response(
    chunks: ClosableEvents, headers: Mapping[str, str] | None = None
) -> StreamingResponse:
    """OpenAI's framing: `data: <json>` per chunk, then `data: [DONE]`.

    A failure midway is an `event: error` whose data is our envelope plus an
    `error` member holding it again, which is what OpenAI's SDKs look for to
    raise; no `[DONE]` follows.
    """

    async def body() -> AsyncIterator[str]:
        try:
            async for name, payload in chunks:
                if name == "error":
                    note_error(payload["code"], payload["message"])
                    yield f"event: error\ndata: {_dumps({**payload, 'error': dict(payload)})}\n\n"
                    return
                yield f"data: {_dumps(payload)}\n\n"
            yield "data: [DONE]\n\n"
        finally:
            await chunks.aclose()

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={**SSE_HEADERS, **(headers or {})}
    )
