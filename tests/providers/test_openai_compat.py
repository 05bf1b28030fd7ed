"""OpenAICompatibleProvider against a real local HTTP fake: requests sent, answers, error codes."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

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
    TextDelta,
    Tool,
    ToolCallDelta,
    ToolChoice,
    Usage,
    prompt_tokens,
)
from providers.openai_compat import OpenAICompatibleProvider
from tests.fakes.openai_upstream import (
    FakeOpenAIUpstream,
    Reply,
    context_too_long,
    embedding_of,
    error,
    insufficient_quota,
    rate_limited,
)
from tests.providers.conftest import collect, stream_until_error

MODEL = ModelSpec(
    id="local",
    provider="ollama",
    upstream_id="llama3:8b",
    context_window=8192,
    max_output_tokens=256,
)
KEY_ENV = "TEST_OPENAI_COMPAT_KEY"


def request(text: str = "Hi there", **params: Any) -> CompletionRequest:
    return CompletionRequest(
        model=MODEL,
        messages=[ChatMessage("user", text)],
        system="Be brief.",
        params=GenerationParams(**params),
    )


@pytest.fixture
def fake() -> Iterator[FakeOpenAIUpstream]:
    with FakeOpenAIUpstream() as server:
        yield server


def _provider(fake: FakeOpenAIUpstream, **overrides: Any) -> OpenAICompatibleProvider:
    # Generous timeouts by default: a loaded machine may take seconds to answer a local
    # fake; the tests of timeouts use `impatient`.
    options = {
        "base_url": fake.base_url,
        "api_key_env": KEY_ENV,
        "timeout_seconds": 20,
        "connect_timeout_seconds": 10,
        "max_attempts": 3,
        "retry_base_seconds": 0.01,
        "retry_max_seconds": 0.05,
        **overrides,
    }
    return OpenAICompatibleProvider("ollama", options)


@pytest.fixture
async def provider(
    fake: FakeOpenAIUpstream, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[OpenAICompatibleProvider]:
    monkeypatch.setenv(KEY_ENV, "sk-test-123")
    built = _provider(fake)
    yield built
    await built.aclose()


@pytest.fixture
async def impatient(
    fake: FakeOpenAIUpstream, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[OpenAICompatibleProvider]:
    """The provider with a 0.5 s timeout (first byte, and between chunks)."""
    monkeypatch.setenv(KEY_ENV, "sk-test-123")
    built = _provider(fake, timeout_seconds=0.5)
    yield built
    await built.aclose()


async def test_complete_sends_openai_request_and_maps_answer(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text="Hello world", usage=(12, 2), finish_reason="length"))
    completion = await provider.complete(request(temperature=0.2, top_p=0.9, stop=("END",)))
    assert completion.text == "Hello world"
    assert completion.finish_reason is FinishReason.LENGTH
    assert completion.usage == Usage(12, 2)
    [received] = fake.chat_requests()
    assert received.headers["Authorization"] == "Bearer sk-test-123"
    assert received.body == {
        "model": "llama3:8b",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi there"},
        ],
        "max_tokens": 256,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": ["END"],
    }


async def test_stream_yields_deltas_then_end_with_usage(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text="one two three", usage=(7, 3), finish_reason="content_filter"))
    events = await collect(provider, request(max_tokens=5))
    deltas, end = events[:-1], events[-1]
    # One delta per network read: how the three words arrive decides how many there are.
    assert deltas and all(isinstance(delta, TextDelta) for delta in deltas)
    assert "".join(delta.text for delta in deltas if isinstance(delta, TextDelta)) == (
        "one two three"
    )
    assert end == StreamEnd(FinishReason.CONTENT_FILTER, Usage(7, 3))
    body = fake.chat_requests()[0].body
    assert body is not None
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 5
    assert not fake.disconnected.is_set()  # a finished stream is not a dropped one


async def test_missing_usage_is_estimated(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text="abcdefgh", usage=None), Reply(text="abcdefgh", usage=None))
    events = await collect(provider, request())
    # The estimate prompts are sized with: 3 (system), 2 + 4 (the message, its overhead).
    estimated = Usage(prompt_tokens("Be brief.", [ChatMessage("user", "Hi there")]), 2)
    assert estimated == Usage(9, 2)
    assert events[-1] == StreamEnd(FinishReason.STOP, estimated)
    completion = await provider.complete(request())
    assert completion.usage == estimated


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (insufficient_quota(), Code.RESOURCE_EXHAUSTED),
        (context_too_long(), Code.OUT_OF_RANGE),
        (error(400), Code.INVALID_ARGUMENT),
        (error(422), Code.INVALID_ARGUMENT),
        (error(401), Code.FAILED_PRECONDITION),
        (error(403), Code.FAILED_PRECONDITION),
        (error(404), Code.FAILED_PRECONDITION),
        (error(408), Code.DEADLINE_EXCEEDED),
    ],
)
async def test_non_retryable_errors_map_to_codes_without_retry(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream, reply: Reply, code: Code
) -> None:
    fake.script(reply, reply)
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert caught.value.code is code
    with pytest.raises(ApiError) as caught_stream:
        await collect(provider, request())
    assert caught_stream.value.code is code
    assert len(fake.chat_requests()) == 2  # one per call: no retry
    assert "sk-test-123" not in caught.value.message


@pytest.mark.parametrize("reply", [rate_limited(), error(500), error(503)])
async def test_retryable_errors_are_retried_max_attempts_then_unavailable(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream, reply: Reply
) -> None:
    fake.script(*[reply] * 5)
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert caught.value.code is Code.UNAVAILABLE
    assert len(fake.chat_requests()) == 3


async def test_rate_limit_then_success_honours_retry_after(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    # Retry-After 30 s is capped at retry_max_seconds (0.05 s) in this config.
    fake.script(rate_limited("30"), Reply(text="finally"))
    started = time.monotonic()
    events = await collect(provider, request())
    assert time.monotonic() - started < 15  # not the 30 s asked for
    assert events[0] == TextDelta("finally")
    assert isinstance(events[-1], StreamEnd)
    assert len(fake.chat_requests()) == 2


async def test_connect_error_is_retried_then_unavailable() -> None:
    with FakeOpenAIUpstream() as gone:
        base_url = gone.base_url
    provider = OpenAICompatibleProvider(
        "down", {"base_url": base_url, "max_attempts": 2, "retry_base_seconds": 0.01}
    )
    try:
        with pytest.raises(ApiError) as caught:
            await provider.complete(request())
        assert caught.value.code is Code.UNAVAILABLE
        assert not (await provider.check_ready()).available
    finally:
        await provider.aclose()


async def test_slow_upstream_times_out_with_deadline_exceeded(
    impatient: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(delay=30))  # cut short when the fake stops
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        await impatient.complete(request())
    assert caught.value.code is Code.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 15  # the 0.5 s timeout, not the upstream, ended it
    assert len(fake.chat_requests()) == 1


async def test_provider_timeout_holds_within_a_longer_request_budget(
    impatient: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    # timeout_seconds is 0.5: an upstream silent for 1.5 s fails the call, however long
    # generation_timeout_seconds would still allow (here 30 s), stream or not.
    fake.script(Reply(text="too slow", delay=1.5), Reply(text="too slow", delay=1.5))
    req = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=30.0)
    with pytest.raises(ApiError) as caught:
        await impatient.complete(req)
    assert caught.value.code is Code.DEADLINE_EXCEEDED
    assert "timeout_seconds" in caught.value.message
    seen, error = await stream_until_error(impatient, req)
    assert (seen, error.code) == ([], Code.DEADLINE_EXCEEDED)


async def test_provider_timeout_bounds_the_wait_between_chunks(
    fake: FakeOpenAIUpstream,
) -> None:
    provider = OpenAICompatibleProvider("gaps", {"base_url": fake.base_url, "timeout_seconds": 1})
    fake.script(Reply(text="first then silence", chunk_delay=4.0))
    req = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=30.0)
    try:
        seen, error = await stream_until_error(provider, req)
    finally:
        await provider.aclose()
    assert seen == [TextDelta("first ")]
    assert error.code is Code.DEADLINE_EXCEEDED
    assert len(fake.chat_requests()) == 1  # a timeout after text is never replayed


async def test_a_shorter_request_budget_lowers_the_provider_timeout(
    fake: FakeOpenAIUpstream,
) -> None:
    provider = OpenAICompatibleProvider("slow-ok", {"base_url": fake.base_url, "max_attempts": 1})
    fake.script(Reply(text="late", delay=1.5))
    req = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=0.3)
    try:
        with pytest.raises(ApiError) as caught:
            await provider.complete(req)  # timeout_seconds is 60; the budget 0.3 s
        assert caught.value.code is Code.DEADLINE_EXCEEDED
    finally:
        await provider.aclose()


async def test_chunks_that_arrive_together_are_one_delta(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text="one two three", usage=(7, 3), together=True))
    events = await collect(provider, request())
    assert events == [TextDelta("one two three"), StreamEnd(FinishReason.STOP, Usage(7, 3))]


async def test_chunks_that_arrive_apart_stay_apart(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    # Far apart: every one of them is read before the next is written.
    fake.script(Reply(text="one two", chunk_delay=0.5))
    events = await collect(provider, request())
    assert events[:2] == [TextDelta("one "), TextDelta("two")]


async def test_stream_cut_midway_fails_after_deltas(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text="a b c d e", cut_after=2))
    seen, error = await stream_until_error(provider, request())
    assert error.code is Code.UNAVAILABLE
    assert all(isinstance(event, TextDelta) for event in seen)
    assert "".join(event.text for event in seen if isinstance(event, TextDelta)) == "a b "
    assert len(fake.chat_requests()) == 1  # never replayed once text was sent


@pytest.mark.parametrize(
    "malformed",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"\xff\xfe{\x80", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-past-the-recursion-limit"),
    ],
)
async def test_malformed_chunk_is_unavailable(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream, malformed: bytes
) -> None:
    fake.script(Reply(text="a b c", malformed_after=1, malformed=malformed))
    seen, error = await stream_until_error(provider, request())
    assert error.code is Code.UNAVAILABLE
    assert seen == [TextDelta("a ")]


async def test_aclose_mid_stream_drops_the_upstream_connection(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(Reply(text=" ".join(["tok"] * 2000), chunk_delay=0.02))  # 40 s of tokens
    stream = provider.stream(request())
    first = await anext(stream)
    assert isinstance(first, TextDelta) and first.text.startswith("tok ")
    started = time.monotonic()
    await stream.aclose()
    assert time.monotonic() - started < 20  # not at the stream's end
    assert await asyncio.to_thread(fake.disconnected.wait, 10)


async def test_availability_needs_base_url_and_key_env(
    fake: FakeOpenAIUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    keyed = OpenAICompatibleProvider("p", {"base_url": fake.base_url, "api_key_env": KEY_ENV})
    no_url = OpenAICompatibleProvider("q", {})
    open_one = OpenAICompatibleProvider("r", {"base_url": fake.base_url})
    try:
        missing = keyed.availability(MODEL)
        assert not missing.available
        assert KEY_ENV in missing.reason
        assert not no_url.availability(MODEL).available
        assert open_one.availability(MODEL).available
        monkeypatch.setenv(KEY_ENV, "k")
        assert keyed.availability(MODEL).available
    finally:
        for built in (keyed, no_url, open_one):
            await built.aclose()


async def test_check_ready_gets_models(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    assert (await provider.check_ready()).available
    assert [r.path for r in fake.requests] == ["/v1/models"]
    assert fake.requests[0].headers["Authorization"] == "Bearer sk-test-123"


# -- tools and structured output pass through ----------------------------------------------

TWO_CALLS = Reply(
    text="",
    finish_reason="tool_calls",
    tool_calls=[
        {"id": "call_a", "name": "get_weather", "arguments": '{"city": "Lisbon"}'},
        {"id": "call_b", "name": "get_weather", "arguments": '{"city": "Porto"}'},
    ],
)
WEATHER = Tool("get_weather", "", {"type": "object", "properties": {"city": {"type": "string"}}})


def tool_request(**changes: Any) -> CompletionRequest:
    return replace(request("Lisbon and Porto?"), tools=(WEATHER,), **changes)


async def test_streamed_tool_calls_arrive_as_deltas_by_index(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(TWO_CALLS)
    events = await collect(provider, tool_request(parallel_tool_calls=True))
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(c.index, c.id, c.name) for c in calls if c.id] == [
        (0, "call_a", "get_weather"),
        (1, "call_b", "get_weather"),
    ]
    assert "".join(c.arguments for c in calls if c.index == 1) == '{"city": "Porto"}'
    end = events[-1]
    assert isinstance(end, StreamEnd) and end.finish_reason is FinishReason.TOOL_CALLS
    sent = fake.chat_requests()[-1].body
    assert sent is not None
    assert sent["tools"] == [
        {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER.parameters}}
    ]
    assert sent["tool_choice"] == "auto" and sent["parallel_tool_calls"] is True


async def test_whole_tool_calls_and_formats_pass_through(
    provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream
) -> None:
    fake.script(TWO_CALLS)
    answer = await provider.complete(
        tool_request(tool_choice=ToolChoice("function", "get_weather"))
    )
    assert [c.id for c in answer.tool_calls] == ["call_a", "call_b"]
    assert answer.finish_reason is FinishReason.TOOL_CALLS
    sent = fake.chat_requests()[-1].body
    assert sent is not None
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    schema = {"type": "object"}
    await provider.complete(
        replace(
            request(),
            response_format=ResponseFormat("json_schema", name="x", schema=schema, strict=True),
            passthrough={"presence_penalty": 0.3},
        )
    )
    sent = fake.chat_requests()[-1].body
    assert sent is not None
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": schema, "strict": True},
    }
    assert sent["presence_penalty"] == 0.3


async def test_embeddings(provider: OpenAICompatibleProvider, fake: FakeOpenAIUpstream) -> None:
    result = await provider.embed(EmbeddingRequest(MODEL, ["a b", "c"], dimensions=4))
    assert result.vectors == [embedding_of("a b", 4), embedding_of("c", 4)]
    assert result.input_tokens == 3
