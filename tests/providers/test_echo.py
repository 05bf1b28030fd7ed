"""The echo provider: deterministic answers, limits, stop sequences, usage, scripted failures."""

import asyncio
import json
import time
from dataclasses import replace

import pytest

from errors import ApiError, Code
from providers.base import (
    ChatMessage,
    CompletionRequest,
    EmbeddingRequest,
    FinishReason,
    GenerationParams,
    ModelSpec,
    ResponseFormat,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
)
from providers.echo import EchoProvider

MODEL = ModelSpec(
    id="echo", provider="e", upstream_id="echo", context_window=100, max_output_tokens=8
)


def _request(text: str, *, system: str | None = None, **params: object) -> CompletionRequest:
    history = [
        ChatMessage("user", "earlier words"),
        ChatMessage("assistant", "Echo: earlier words"),
    ]
    return CompletionRequest(
        model=MODEL,
        messages=[*history, ChatMessage("user", text)],
        system=system,
        params=GenerationParams(**params),  # type: ignore[arg-type]
    )


async def _stream(provider: EchoProvider, request: CompletionRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


async def test_complete_echoes_the_last_user_message() -> None:
    completion = await EchoProvider("e").complete(_request("hi  there", system="be nice"))
    assert completion.text == "Echo: hi  there"
    assert completion.finish_reason == FinishReason.STOP
    # prompt words: system 2 + history 2 + 3 + new 2; answer tokens: "Echo: ", "hi  ", "there"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (9, 3)
    assert completion.usage.total_tokens == 12


async def test_stream_matches_complete_token_by_token() -> None:
    provider = EchoProvider("e")
    events = await _stream(provider, _request("a b c"))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas == ["Echo: ", "a ", "b ", "c"]
    end = events[-1]
    assert isinstance(end, StreamEnd) and end.finish_reason == FinishReason.STOP
    assert end.usage == (await provider.complete(_request("a b c"))).usage


async def test_max_tokens_from_request_then_model() -> None:
    provider = EchoProvider("e")
    short = await provider.complete(_request("a b c d", max_tokens=2))
    assert (short.text, short.finish_reason, short.usage.output_tokens) == (
        "Echo: a ",
        FinishReason.LENGTH,
        2,
    )
    capped = await provider.complete(_request(" ".join("x" * 20)))  # model max: 8 tokens
    assert capped.usage.output_tokens == 8 and capped.finish_reason == FinishReason.LENGTH


async def test_earliest_stop_sequence_wins_and_is_not_returned() -> None:
    provider = EchoProvider("e")
    result = await provider.complete(_request("alpha beta gamma", stop=("gamma", "ta g")))
    assert (result.text, result.finish_reason) == ("Echo: alpha be", FinishReason.STOP_SEQUENCE)
    nothing = await provider.complete(_request("x", stop=("Echo",)))
    assert (nothing.text, nothing.usage.output_tokens) == ("", 0)


@pytest.mark.parametrize("code", [4, 8, 14])
async def test_scripted_failure(code: int) -> None:
    provider = EchoProvider("e")
    for call in (
        provider.complete(_request(f"x [echo:fail={code}]")),
        _stream(provider, _request(f"x [echo:fail={code}]")),
    ):
        with pytest.raises(ApiError) as caught:
            await call
        assert caught.value.code == Code(code)


async def test_scripted_failure_midway_in_a_stream() -> None:
    provider = EchoProvider("e")
    seen: list[str] = []
    with pytest.raises(ApiError) as caught:
        async for event in provider.stream(_request("a b c [echo:fail-after=2]")):
            assert isinstance(event, TextDelta)
            seen.append(event.text)
    assert caught.value.code == Code.UNAVAILABLE and seen == ["Echo: ", "a "]


async def test_delay_comes_before_each_token() -> None:
    provider = EchoProvider("e", {"delay_seconds": 0.02})
    stream = provider.stream(_request("a b c d e f"))
    started = time.monotonic()
    first = await stream.__anext__()
    assert isinstance(first, TextDelta) and time.monotonic() - started >= 0.015
    await stream.aclose()


async def test_stream_is_cancellable_mid_token() -> None:
    provider = EchoProvider("e")
    task = asyncio.create_task(_stream(provider, _request("a b c [echo:delay=1000]")))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_always_available() -> None:
    provider = EchoProvider("e")
    assert provider.availability(MODEL).available
    assert (await provider.check_ready()).available
    with pytest.raises(ValueError):
        EchoProvider("e", {"delay_seconds": -1})


SEARCH = Tool(
    "search",
    parameters={
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "limit": {"type": "integer"},
            "exact": {"type": "boolean"},
            "kind": {"enum": ["web", "news"]},
            "ignored": {"type": "string"},
        },
        "required": ["query", "limit", "exact", "kind"],
    },
)


async def test_echo_calls_the_tool_with_arguments_from_its_schema() -> None:
    echo = EchoProvider("echo")
    request = replace(
        _request("cats"),
        tools=(Tool("first"), SEARCH),
        tool_choice=ToolChoice("function", "search"),
    )
    answer = await echo.complete(request)
    (call,) = answer.tool_calls
    assert (
        call.name == "search"
        and answer.text == ""
        and answer.finish_reason is FinishReason.TOOL_CALLS
    )
    assert json.loads(call.arguments) == {"query": "cats", "limit": 1, "exact": True, "kind": "web"}
    assert call.id.startswith("call_echo_") and len(call.id) == len("call_echo_") + 12
    # Streamed: the same call, its arguments in pieces after the id and name.
    events = await _stream(echo, request)
    pieces = [e for e in events if isinstance(e, ToolCallDelta)]
    assert (pieces[0].id, pieces[0].name) == (call.id, "search")
    assert "".join(p.arguments for p in pieces) == call.arguments and len(pieces) == 3
    # Without a named choice, the first tool; with `none`, plain text.
    assert (await echo.complete(replace(request, tool_choice=ToolChoice()))).tool_calls[
        0
    ].name == "first"
    assert (
        await echo.complete(replace(request, tool_choice=ToolChoice("none")))
    ).text == "Echo: cats"


async def test_echo_answers_a_tool_result_and_formats_json() -> None:
    echo = EchoProvider("echo")
    after = CompletionRequest(
        model=MODEL,
        messages=[
            ChatMessage("user", "cats"),
            ChatMessage("assistant", "", tool_calls=(ToolCall("c1", "search", "{}"),)),
            ChatMessage("tool", "3 results", tool_call_id="c1"),
        ],
        tools=(SEARCH,),
    )
    assert (await echo.complete(after)).text == "Echo: 3 results"
    as_object = replace(_request("cats"), response_format=ResponseFormat("json_object"))
    assert json.loads((await echo.complete(as_object)).text) == {"echo": "cats"}
    as_schema = replace(
        _request("cats"), response_format=ResponseFormat("json_schema", schema=SEARCH.parameters)
    )
    assert json.loads((await echo.complete(as_schema)).text)["kind"] == "web"


async def test_echo_embeddings_are_deterministic_unit_vectors() -> None:
    echo = EchoProvider("echo")
    first = await echo.embed(EmbeddingRequest(MODEL, ["red apple", "pear"]))
    again = await echo.embed(EmbeddingRequest(MODEL, ["red apple"], dimensions=40))
    assert [len(v) for v in first.vectors] == [16, 16] and len(again.vectors[0]) == 40
    assert first.vectors[0] != first.vectors[1]
    assert (
        first.vectors == (await echo.embed(EmbeddingRequest(MODEL, ["red apple", "pear"]))).vectors
    )
    assert sum(x * x for x in again.vectors[0]) == pytest.approx(1.0)
    assert first.input_tokens == 3


async def test_timeout_bounds_the_wait_for_the_first_token_and_between_tokens() -> None:
    provider = EchoProvider("e", {"timeout_seconds": 0.2})
    with pytest.raises(ApiError) as caught:
        await provider.complete(_request("slow [echo:delay=5000]"))
    assert caught.value.code is Code.DEADLINE_EXCEEDED
    assert "timeout_seconds" in caught.value.message
    seen: list[StreamEvent] = []
    with pytest.raises(ApiError) as caught:
        async for event in provider.stream(_request("a b c [echo:stall-after=2]")):
            seen.append(event)
    assert caught.value.code is Code.DEADLINE_EXCEEDED
    assert seen == [TextDelta("Echo: "), TextDelta("a ")]


async def test_delays_within_the_timeout_answer_normally() -> None:
    provider = EchoProvider("e", {"timeout_seconds": 5})
    events = await _stream(provider, _request("a b [echo:delay=1]"))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)).startswith("Echo: a b")
