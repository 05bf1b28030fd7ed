"""Event-stream answers at the ASGI level: what is sent in which message, and what happens when
the client leaves or the events fail."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from starlette.types import Message

from server.sse import openai_sse_response, sse_response

SCOPE = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}


class Events:
    """A domain event iterator that records being closed; `hold` waits before the next."""

    def __init__(self, events: list[tuple[str, Mapping[str, Any]]], hold: bool = False) -> None:
        self.events = events
        self.hold = hold
        self.closed = asyncio.Event()
        self.waiting = asyncio.Event()

    def __aiter__(self) -> AsyncIterator[tuple[str, Mapping[str, Any]]]:
        return self._run()

    async def _run(self) -> AsyncIterator[tuple[str, Mapping[str, Any]]]:
        try:
            for event in self.events:
                yield event
            if self.hold:
                self.waiting.set()
                await asyncio.Event().wait()  # an upstream that never answers
        finally:
            self.closed.set()

    async def aclose(self) -> None:
        self.closed.set()


def chunk(**fields: Any) -> tuple[str, dict[str, Any]]:
    return "chunk", {"id": "c", "choices": [{"index": 0, **fields}]}


async def run(response: Any, leave: asyncio.Event | None = None) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        if leave is not None:
            await leave.wait()
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await asyncio.wait_for(response(SCOPE, receive, send), 10)
    return sent


async def test_the_role_goes_with_the_first_text_and_the_end_with_done() -> None:
    events = Events(
        [
            chunk(delta={"role": "assistant"}),
            chunk(delta={"content": "Hi"}),
            chunk(delta={}, finish_reason="stop"),
            ("chunk", {"id": "c", "choices": [], "usage": {"total_tokens": 3}}),
        ]
    )
    sent = await run(openai_sse_response(events, {"x-ratelimit-limit-requests": "5"}))
    assert sent[0]["type"] == "http.response.start"
    assert (b"x-ratelimit-limit-requests", b"5") in sent[0]["headers"]
    assert (b"content-type", b"text/event-stream; charset=utf-8") in sent[0]["headers"]
    bodies = [(m["body"].decode(), m["more_body"]) for m in sent[1:]]
    assert [more for _, more in bodies] == [True, False]  # nothing after the last
    first = bodies[0][0]
    assert first.index('"role":"assistant"') < first.index('"content":"Hi"')
    assert first.count("data: ") == 2 and first.endswith("\n\n")
    last = bodies[1][0]
    assert last.index('"finish_reason":"stop"') < last.index('"usage"') < last.index("[DONE]")
    assert last.endswith("data: [DONE]\n\n")
    assert events.closed.is_set()


async def test_an_error_before_any_text_goes_with_the_role() -> None:
    events = Events([chunk(delta={"role": "assistant"}), ("error", {"code": 4, "message": "x"})])
    sent = await run(openai_sse_response(events))
    assert len(sent) == 2 and sent[1]["more_body"] is False
    assert sent[1]["body"].index(b'"role"') < sent[1]["body"].index(b"event: error")


async def test_an_error_midway_is_the_last_piece_without_done() -> None:
    envelope = {"code": 14, "message": "upstream gone"}
    events = Events(
        [chunk(delta={"role": "assistant"}), chunk(delta={"content": "a"}), ("error", envelope)]
    )
    sent = await run(openai_sse_response(events))
    assert b'"content":"a"' in sent[1]["body"] and sent[1]["more_body"] is True
    last = sent[-1]
    assert last["more_body"] is False
    assert last["body"].startswith(b"event: error\ndata: ")
    assert b"[DONE]" not in b"".join(m.get("body", b"") for m in sent)


async def test_a_client_leaving_closes_the_events_and_the_answer_returns() -> None:
    events = Events([chunk(delta={"role": "assistant"}), chunk(delta={"content": "a"})], hold=True)
    leave = asyncio.Event()
    response = openai_sse_response(events)
    answering = asyncio.ensure_future(run(response, leave))
    await asyncio.wait_for(events.waiting.wait(), 10)
    assert not events.closed.is_set()
    leave.set()
    sent = await asyncio.wait_for(answering, 10)
    assert events.closed.is_set()
    assert b'"content":"a"' in sent[1]["body"]  # what came before the client left was sent
    assert all(m.get("more_body", True) for m in sent[1:])  # never ended as if complete


async def test_a_failing_event_source_fails_the_answer() -> None:
    class Broken(Events):
        async def _run(self) -> AsyncIterator[tuple[str, Mapping[str, Any]]]:
            yield chunk(delta={"content": "a"})
            raise RuntimeError("bug in the domain")

    with pytest.raises(RuntimeError, match="bug in the domain"):
        await run(sse_response(Broken([])))


async def test_native_events_keep_their_names_and_end_with_an_empty_message() -> None:
    events = Events([("delta", {"content": "x"}), ("done", {"id": "m"})])
    sent = await run(sse_response(events))
    bodies = [m["body"] for m in sent[1:]]
    assert bodies == [
        b'event: delta\ndata: {"content":"x"}\n\n',
        b'event: done\ndata: {"id":"m"}\n\n',
        b"",
    ]
    assert sent[-1]["more_body"] is False


async def test_line_breakers_that_are_not_sse_line_ends_are_escaped() -> None:
    # U+2028, U+2029 and U+0085 end lines for str.splitlines (httpx's iter_lines), not for SSE.
    text = "one\u2028two\u2029three\x85four é"
    events = Events([chunk(delta={"role": "assistant"}), chunk(delta={"content": text})])
    sent = await run(openai_sse_response(events))
    body = b"".join(m.get("body", b"") for m in sent).decode()
    assert "\u2028" not in body and "\u2029" not in body and "\x85" not in body
    assert "one\\u2028two\\u2029three\\u0085four é" in body
    assert body.splitlines() == body.split("\n")[:-1]  # the same lines for every reader
