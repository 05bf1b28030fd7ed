"""The echo provider: deterministic answers, limits, stop sequences, usage, scripted failures."""

import asyncio
import time

import pytest

from errors import ApiError, Code
from providers.base import (
    ChatMessage,
    CompletionRequest,
    FinishReason,
    GenerationParams,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
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
