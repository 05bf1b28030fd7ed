"""Server-Sent Events responses.

The events iterator is closed in every case (end, error, client gone) so the
domain can store what happened: a client that disconnects cancels the body
task, which closes the iterator, and the partial answer is kept as CANCELLED.

`EventStreamResponse` is Starlette's StreamingResponse (so Connexion passes it
through as it is) with two costs taken out of every stream: the watch for the
client leaving is one asyncio task beside the body's, where Starlette opens an
anyio task group (about 65 µs a response more), and the body's last piece
ends the body in the same message rather than in an empty one after it.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import orjson
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from server.context import note_error

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ClosableEvents(Protocol):
    def __aiter__(self) -> AsyncIterator[tuple[str, Mapping[str, Any]]]: ...
    async def aclose(self) -> None: ...


class LastPiece(str):
    """A body piece after which nothing follows: sent as the end of the response body."""


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` answer from an async iterator of text pieces."""

    def __init__(
        self, pieces: AsyncIterator[str], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(
            pieces, media_type="text/event-stream", headers={**SSE_HEADERS, **(headers or {})}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The body runs in a task of its own, cancelled when the client leaves first (as in
        # Starlette's task group); its own failures propagate as they are.
        streaming = asyncio.ensure_future(self.stream_response(send))
        listening = asyncio.ensure_future(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait((streaming, listening), return_when=asyncio.FIRST_COMPLETED)
        finally:
            streaming.cancel()
            listening.cancel()
            await asyncio.wait((streaming, listening))
        for task in (streaming, listening):
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        if self.background is not None:
            await self.background()

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        ended = False
        async for piece in self.body_iterator:
            ended = isinstance(piece, LastPiece)
            data = piece.encode() if isinstance(piece, str) else bytes(piece)
            await send({"type": "http.response.body", "body": data, "more_body": not ended})
        if not ended:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


# Characters that SSE does not treat as line ends but many clients' line readers
# do (Python's str.splitlines, as in httpx's iter_lines): sent JSON-escaped, so
# a `data:` line reaches every client whole.
_LINE_BREAKERS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _dumps(payload: Mapping[str, Any]) -> str:
    # orjson: compact and UTF-8 like json.dumps(separators=(",", ":"), ensure_ascii=False),
    # at a fraction of the cost per event. ASCII text (most events) has no line breaker to
    # escape: checked in C, where translating costs a dictionary lookup per character.
    text = orjson.dumps(payload).decode()
    return text if text.isascii() else text.translate(_LINE_BREAKERS)


def sse_response(events: ClosableEvents) -> EventStreamResponse:
    """`event: <name>` + `data: <json>` per event."""

    async def body() -> AsyncIterator[str]:
        try:
            async for name, payload in events:
                if name == "error":
                    note_error(payload["code"], payload["message"])
                yield f"event: {name}\ndata: {_dumps(payload)}\n\n"
        finally:
            await events.aclose()

    return EventStreamResponse(body())


def _finishes(chunk: Mapping[str, Any]) -> bool:
    choices: list[Mapping[str, Any]] = chunk.get("choices") or []
    return bool(choices) and choices[0].get("finish_reason") is not None


def openai_sse_response(
    chunks: ClosableEvents, headers: Mapping[str, str] | None = None
) -> EventStreamResponse:
    """OpenAI's framing: `data: <json>` per chunk, then `data: [DONE]`.

    Chunks that wait on nothing go out with the next one, one write fewer each:
    the first (the assistant's role, made before the upstream is called) goes
    with the first text, and the chunk that finishes the answer (its
    finish_reason) and what follows it (the usage chunk) go with `[DONE]` in the
    body's last piece: the upstream has finished by then, so they would only
    wait for the usage to be counted, a moment. The headers are sent first, as
    soon as the request is admitted.

    A failure midway is an `event: error` whose data is our envelope plus an
    `error` member holding it again, which is what OpenAI's SDKs look for to
    raise; no `[DONE]` follows.
    """

    async def body() -> AsyncIterator[str]:
        held: list[str] = []  # pieces that go out with the next one
        first, ending = True, False
        try:
            async for name, payload in chunks:
                if name == "error":
                    note_error(payload["code"], payload["message"])
                    error = _dumps({**payload, "error": dict(payload)})
                    yield LastPiece("".join(held) + f"event: error\ndata: {error}\n\n")
                    return
                held.append(f"data: {_dumps(payload)}\n\n")
                ending = ending or _finishes(payload)
                if first or ending:
                    first = False
                    continue
                yield "".join(held)
                held.clear()
            yield LastPiece("".join(held) + "data: [DONE]\n\n")
        finally:
            await chunks.aclose()

    return EventStreamResponse(body(), headers)
