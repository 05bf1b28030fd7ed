"""BedrockProvider with the real boto3 client against a local fake of Bedrock's wire protocol."""

import asyncio
import base64
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from domain.deadline import DeadlineProvider
from errors import ApiError, Code
from providers.base import (
    Availability,
    ChatMessage,
    CompletionRequest,
    EmbeddingRequest,
    FinishReason,
    GenerationParams,
    Image,
    ModelSpec,
    ResponseFormat,
    StreamEnd,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    Usage,
)
from providers.bedrock import BedrockProvider
from tests.fakes.bedrock import (
    AwsError,
    FakeBedrock,
    Turn,
    access_denied,
    daily_tokens_exhausted,
    embedding_of,
    expired_token,
    model_error,
    model_not_ready,
    model_timeout,
    not_found,
    prompt_too_long,
    quota_exceeded,
    server_error,
    service_unavailable,
    throttling,
    unrecognized_client,
    validation,
)
from tests.fakes.local_server import LocalServer
from tests.providers.conftest import collect, stream_until_error

MODEL = ModelSpec(
    id="claude",
    provider="bedrock",
    upstream_id="anthropic.claude-3-5-sonnet-20240620-v1:0",
    context_window=200000,
    max_output_tokens=4096,
)
KEY_ID = "AKIDTESTBEDROCK"
# Every variable through which botocore could find credentials, a profile or a region.
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
)


def request(text: str = "And now?", **params: Any) -> CompletionRequest:
    return CompletionRequest(
        model=MODEL,
        messages=[
            ChatMessage("user", "Hi"),
            ChatMessage("assistant", "Hello!"),
            ChatMessage("user", text),
        ],
        system="Be brief.",
        params=GenerationParams(**params),
    )


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS configuration at all: empty shared files, no AWS variables, no instance metadata."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


@pytest.fixture
def aws_keys(aws_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-for-tests")


@pytest.fixture
def fake() -> Iterator[FakeBedrock]:
    with FakeBedrock() as server:
        yield server


def config(fake: FakeBedrock, **overrides: Any) -> dict[str, Any]:
    # Generous timeouts: a loaded machine may take seconds to answer a local fake. The tests
    # of timeouts set their own.
    return {
        "region": "us-east-1",
        "endpoint_url": fake.url,
        "timeout_seconds": 20,
        "connect_timeout_seconds": 10,
        "max_attempts": 3,
        "retry_base_seconds": 0.01,
        "retry_max_seconds": 0.05,
        **overrides,
    }


@pytest.fixture
async def provider(fake: FakeBedrock, aws_keys: None) -> AsyncIterator[BedrockProvider]:
    built = BedrockProvider("bedrock", config(fake))
    yield built
    await built.aclose()


# -- requests and answers on the wire ------------------------------------------


async def test_complete_sends_converse_and_maps_the_answer(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(Turn(text="Sure thing", input_tokens=31, output_tokens=2, stop_reason="max_tokens"))
    completion = await provider.complete(
        request(max_tokens=50, temperature=0.2, top_p=0.9, stop=("END", "STOP"))
    )
    assert completion.text == "Sure thing"
    assert completion.finish_reason is FinishReason.LENGTH
    assert completion.usage == Usage(31, 2)
    [received] = fake.received
    assert received.operation == "converse"
    assert received.model_id == MODEL.upstream_id
    # Signed by boto3 with the environment's key, for Bedrock in the configured region.
    assert f"Credential={KEY_ID}/" in received.headers["Authorization"]
    assert "/us-east-1/bedrock/aws4_request" in received.headers["Authorization"]
    assert received.body == {
        "system": [{"text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [{"text": "Hi"}]},
            {"role": "assistant", "content": [{"text": "Hello!"}]},
            {"role": "user", "content": [{"text": "And now?"}]},
        ],
        "inferenceConfig": {
            "maxTokens": 50,
            "temperature": 0.2,
            "topP": 0.9,
            "stopSequences": ["END", "STOP"],
        },
    }


async def test_unset_params_are_left_out_and_max_tokens_defaults_to_the_model(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    req = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], system=" ")
    await provider.complete(req)
    assert fake.received[0].body == {
        "messages": [{"role": "user", "content": [{"text": "x"}]}],
        "inferenceConfig": {"maxTokens": MODEL.max_output_tokens},
    }


async def test_consecutive_turns_of_one_role_are_merged_and_system_turns_join_the_system(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    req = CompletionRequest(
        model=MODEL,
        system="Rule one.",
        messages=[
            ChatMessage("system", "Rule two."),
            ChatMessage("user", "a"),
            ChatMessage("user", "b"),
            # Blank turns are left out: Bedrock rejects a blank text block (whitespace
            # included) with a ValidationException.
            ChatMessage("assistant", ""),
            ChatMessage("assistant", " \n "),
            ChatMessage("system", "  "),
            ChatMessage("user", "c"),
        ],
    )
    await provider.complete(req)
    body = fake.received[0].body
    assert body["system"] == [{"text": "Rule one."}, {"text": "Rule two."}]
    assert body["messages"] == [
        {"role": "user", "content": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}
    ]


async def test_stream_yields_deltas_then_end_with_usage(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(Turn(text="one two three", input_tokens=9, output_tokens=3))
    events = await collect(provider, request(max_tokens=5))
    assert events == [
        TextDelta("one "),
        TextDelta("two "),
        TextDelta("three"),
        StreamEnd(FinishReason.STOP, Usage(9, 3)),
    ]
    [received] = fake.received
    assert received.operation == "converse-stream"
    assert received.body["inferenceConfig"] == {"maxTokens": 5}
    assert received.body["system"] == [{"text": "Be brief."}]
    assert not fake.disconnected.is_set()  # a finished stream is not a dropped one


async def test_reasoning_is_left_out_of_the_answer(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(
        Turn(text="Four.", reasoning="two plus two is four", output_tokens=9),
        Turn(text="It is four.", reasoning="two plus two is four", output_tokens=12),
    )
    completion = await provider.complete(request())
    assert (completion.text, completion.usage.output_tokens) == ("Four.", 9)
    events = await collect(provider, request())
    assert events == [
        TextDelta("It "),
        TextDelta("is "),
        TextDelta("four."),
        StreamEnd(FinishReason.STOP, Usage(7, 12)),  # the reasoning's tokens are billed too
    ]


async def test_a_stream_failing_after_reasoning_but_before_text_is_retried(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    # The caller saw no text (reasoning is not passed on), so another attempt is safe.
    fake.script(
        Turn(
            text="lost", reasoning="thinking", stream_error_after=0, stream_error=throttling().error
        ),
        Turn(text="answer"),
    )
    assert (await collect(provider, request()))[0] == TextDelta("answer")
    assert len(fake.received) == 2


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", FinishReason.STOP),
        ("max_tokens", FinishReason.LENGTH),
        ("stop_sequence", FinishReason.STOP_SEQUENCE),
        ("guardrail_intervened", FinishReason.CONTENT_FILTER),
        ("content_filtered", FinishReason.CONTENT_FILTER),
        ("model_context_window_exceeded", FinishReason.LENGTH),
        ("something_new", FinishReason.STOP),
    ],
)
async def test_stop_reasons_map_to_finish_reasons(
    provider: BedrockProvider, fake: FakeBedrock, stop_reason: str, finish: FinishReason
) -> None:
    fake.script(Turn(stop_reason=stop_reason), Turn(stop_reason=stop_reason))
    assert (await provider.complete(request())).finish_reason is finish
    end = (await collect(provider, request()))[-1]
    assert isinstance(end, StreamEnd)
    assert end.finish_reason is finish


async def test_per_model_endpoint_and_timeout_get_their_own_client(
    fake: FakeBedrock, aws_keys: None
) -> None:
    provider = BedrockProvider("bedrock", config(fake, timeout_seconds=0.5))
    with FakeBedrock() as other:
        model = ModelSpec(
            id="llama",
            provider="bedrock",
            upstream_id="meta.llama3-70b-instruct-v1:0",
            context_window=8192,
            max_output_tokens=2048,
            options={"endpoint_url": other.url, "timeout_seconds": 30},
        )
        # 0.7 s is past the provider's 0.5 s read timeout, well within the model's own 30 s.
        other.script(Turn(text="from the other endpoint", delay=0.7))
        req = CompletionRequest(model=model, messages=[ChatMessage("user", "hi")])
        assert (await provider.complete(req)).text == "from the other endpoint"
        assert [r.model_id for r in other.received] == ["meta.llama3-70b-instruct-v1:0"]
    assert (await provider.complete(request())).text == "Hello from Bedrock"
    assert len(fake.received) == 1
    await provider.aclose()


# -- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("turn", "code"),
    [
        pytest.param(validation(), Code.INVALID_ARGUMENT, id="validation"),
        pytest.param(prompt_too_long(), Code.OUT_OF_RANGE, id="input-too-long"),
        pytest.param(
            validation("prompt is too long: 250001 tokens > 200000 maximum"),
            Code.OUT_OF_RANGE,
            id="anthropic-prompt-too-long",
        ),
        pytest.param(access_denied(), Code.FAILED_PRECONDITION, id="access-denied"),
        pytest.param(not_found(), Code.FAILED_PRECONDITION, id="model-not-found"),
        pytest.param(
            validation("The model is not enabled for this account."),
            Code.FAILED_PRECONDITION,
            id="model-not-enabled",
        ),
        pytest.param(
            validation(
                "input length and `max_tokens` exceed context limit: 199000 + 8192 > 200000, "
                "decrease input length or `max_tokens` and try again"
            ),
            Code.OUT_OF_RANGE,
            id="anthropic-context-limit",
        ),
        pytest.param(
            validation(
                "This model's maximum context length is 128000 tokens. "
                "Please reduce the length of the prompt."
            ),
            Code.OUT_OF_RANGE,
            id="llama-maximum-context-length",
        ),
        pytest.param(
            validation(
                "Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand "
                "throughput isn\u2019t supported. Retry your request with the ID or ARN of an "
                "inference profile that contains this model."
            ),
            Code.FAILED_PRECONDITION,
            id="needs-an-inference-profile",
        ),
        pytest.param(
            validation("The provided model identifier is invalid."),
            Code.FAILED_PRECONDITION,
            id="model-identifier-invalid",
        ),
        pytest.param(quota_exceeded(), Code.RESOURCE_EXHAUSTED, id="quota-exceeded"),
        pytest.param(daily_tokens_exhausted(), Code.RESOURCE_EXHAUSTED, id="tokens-per-day"),
        pytest.param(model_timeout(), Code.DEADLINE_EXCEEDED, id="model-timeout"),
        pytest.param(expired_token(), Code.FAILED_PRECONDITION, id="expired-token"),
        pytest.param(unrecognized_client(), Code.FAILED_PRECONDITION, id="unrecognized-client"),
    ],
)
async def test_non_retryable_errors_map_to_codes_without_retry(
    provider: BedrockProvider, fake: FakeBedrock, turn: Turn, code: Code
) -> None:
    fake.script(turn, turn)
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert caught.value.code is code
    seen, error = await stream_until_error(provider, request())
    assert error.code is code
    assert seen == []
    assert [r.operation for r in fake.received] == ["converse", "converse-stream"]  # no retry


async def test_access_denied_says_to_enable_model_access(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(access_denied())
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert "Bedrock console" in caught.value.message
    assert "secret-for-tests" not in caught.value.message


async def test_rejected_credentials_say_how_to_configure_them(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(expired_token())
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert "ExpiredTokenException" in caught.value.message
    assert "AWS_PROFILE" in caught.value.message
    # New keys in the environment or ~/.aws are read only at start-up.
    assert "restart" in caught.value.message


async def test_daily_token_quota_says_it_is_the_accounts_quota(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(daily_tokens_exhausted())
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert "Too many tokens per day" in caught.value.message
    assert "quota" in caught.value.message


@pytest.mark.parametrize(
    "turn",
    [
        pytest.param(throttling(), id="throttling"),
        pytest.param(server_error(), id="internal-server"),
        pytest.param(service_unavailable(), id="service-unavailable"),
        pytest.param(model_not_ready(), id="model-not-ready"),
        pytest.param(model_error(), id="model-error"),
        pytest.param(
            throttling("Too many tokens, please wait before trying again."), id="tokens-per-minute"
        ),
    ],
)
async def test_retryable_errors_are_retried_max_attempts_then_unavailable(
    provider: BedrockProvider, fake: FakeBedrock, turn: Turn
) -> None:
    fake.script(*[turn] * 6)
    with pytest.raises(ApiError) as caught:
        await provider.complete(request())
    assert caught.value.code is Code.UNAVAILABLE
    assert "after 3 attempts" in caught.value.message
    assert len(fake.received) == 3  # max_attempts, botocore's own retries are off
    seen, error = await stream_until_error(provider, request())
    assert (seen, error.code) == ([], Code.UNAVAILABLE)
    assert len(fake.received) == 6


async def test_throttle_then_success(provider: BedrockProvider, fake: FakeBedrock) -> None:
    fake.script(throttling(), Turn(text="finally"), throttling(), Turn(text="streamed"))
    assert (await provider.complete(request())).text == "finally"
    events = await collect(provider, request())
    assert events[0] == TextDelta("streamed")
    assert isinstance(events[-1], StreamEnd)
    assert len(fake.received) == 4


@pytest.mark.parametrize(
    ("stream_error", "code"),
    [
        pytest.param(throttling().error, Code.UNAVAILABLE, id="throttlingException"),
        pytest.param(server_error().error, Code.UNAVAILABLE, id="internalServerException"),
        pytest.param(
            AwsError("ModelStreamErrorException", 424, "The model stream failed."),
            Code.UNAVAILABLE,
            id="modelStreamErrorException",
        ),
        pytest.param(service_unavailable().error, Code.UNAVAILABLE, id="serviceUnavailable"),
        pytest.param(validation().error, Code.INVALID_ARGUMENT, id="validationException"),
    ],
)
async def test_stream_failing_midway_raises_after_the_deltas_without_retry(
    provider: BedrockProvider, fake: FakeBedrock, stream_error: AwsError, code: Code
) -> None:
    fake.script(Turn(text="a b c d e", stream_error_after=2, stream_error=stream_error))
    seen, error = await stream_until_error(provider, request())
    assert error.code is code
    assert seen == [TextDelta("a "), TextDelta("b ")]
    assert len(fake.received) == 1  # never replayed once text was sent


async def test_stream_exception_before_any_text_is_retried(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(
        Turn(text="lost", stream_error_after=0, stream_error=throttling().error),
        Turn(text="second try"),
    )
    events = await collect(provider, request())
    assert events[:2] == [TextDelta("second "), TextDelta("try")]
    assert len(fake.received) == 2


async def test_malformed_frame_is_unavailable(provider: BedrockProvider, fake: FakeBedrock) -> None:
    fake.script(Turn(text="a b c", malformed_after=1))
    seen, error = await stream_until_error(provider, request())
    assert error.code is Code.UNAVAILABLE
    assert seen == [TextDelta("a ")]


async def test_cut_stream_is_unavailable_after_text(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(Turn(text="a b c d", cut_after=2))
    seen, error = await stream_until_error(provider, request())
    assert error.code is Code.UNAVAILABLE
    assert seen == [TextDelta("a "), TextDelta("b ")]
    assert len(fake.received) == 1


async def test_cut_stream_after_message_stop_ends_with_estimated_usage(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    # messageStop came: the answer is whole, only its usage (metadata) was lost.
    fake.script(Turn(text="a b", stop_reason="max_tokens", cut_before_metadata=True))
    events = await collect(provider, request())
    assert events[:2] == [TextDelta("a "), TextDelta("b")]
    end = events[2]
    assert isinstance(end, StreamEnd)
    assert end.finish_reason is FinishReason.LENGTH
    assert end.usage.output_tokens >= 1  # estimated, never zero
    assert len(fake.received) == 1


async def test_cut_stream_before_text_is_retried(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(*[Turn(text="a b", cut_after=0)] * 3)
    seen, error = await stream_until_error(provider, request())
    assert (seen, error.code) == ([], Code.UNAVAILABLE)
    assert len(fake.received) == 3


async def test_slow_model_hits_the_read_timeout(fake: FakeBedrock, aws_keys: None) -> None:
    provider = BedrockProvider("bedrock", config(fake, timeout_seconds=0.2))
    fake.script(Turn(delay=30), Turn(delay=30))  # cut short when the fake stops
    try:
        with pytest.raises(ApiError) as caught:
            await provider.complete(request())
        assert caught.value.code is Code.DEADLINE_EXCEEDED
        seen, error = await stream_until_error(provider, request())
        assert (seen, error.code) == ([], Code.DEADLINE_EXCEEDED)
        # The read timed out, so the request was sent; on a busy machine the fake's
        # thread may record it only now. A retry would have been sent before the error.
        for _ in range(200):  # bounded: 10 s
            if len(fake.received) >= 2:
                break
            await asyncio.sleep(0.05)
        assert len(fake.received) == 2  # a timeout is not retried
    finally:
        await provider.aclose()


async def test_the_read_timeout_bounds_the_wait_between_stream_events(
    fake: FakeBedrock, aws_keys: None
) -> None:
    provider = BedrockProvider("bedrock", config(fake, timeout_seconds=1))
    fake.script(Turn(text="first then silence", chunk_delay=4.0))
    req = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=30.0)
    try:
        seen, error = await stream_until_error(DeadlineProvider(provider), req)
    finally:
        await provider.aclose()
    assert seen == [TextDelta("first ")]
    assert error.code is Code.DEADLINE_EXCEEDED  # the provider's 1 s, not the request's 30 s
    assert len(fake.received) == 1  # never replayed once text was sent


async def test_connection_refused_is_retried_then_unavailable(aws_keys: None) -> None:
    with FakeBedrock() as gone:
        url = gone.url
    provider = BedrockProvider(
        "down",
        {"region": "us-east-1", "endpoint_url": url, "max_attempts": 2, "retry_base_seconds": 0.01},
    )
    try:
        with pytest.raises(ApiError) as caught:
            await provider.complete(request())
        assert caught.value.code is Code.UNAVAILABLE
        ready = await provider.check_ready()
        assert not ready.available
        assert "EndpointConnectionError" in ready.reason
    finally:
        await provider.aclose()


# -- the caller's deadline and early close ------------------------------------------

SLOW_READS = ModelSpec(
    id="claude-slow-reads",
    provider="bedrock",
    upstream_id=MODEL.upstream_id,
    context_window=200000,
    max_output_tokens=4096,
    options={"timeout_seconds": 10},  # so only the request's own timeout can stop it
)


async def test_request_timeout_bounds_complete(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(Turn(delay=60))  # cut short when the fake stops
    req = CompletionRequest(model=SLOW_READS, messages=[ChatMessage("user", "x")], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        await DeadlineProvider(provider).complete(req)  # as domain.catalog wraps every call
    assert caught.value.code is Code.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 30  # the deadline, not the model, ended it


async def test_request_timeout_ends_a_stream_and_drops_the_connection(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    # One token at once, then the model stalls: the deadline (2 s, ample for the first
    # token on a loaded machine) ends the stream mid-answer, however slow the machine.
    fake.script(Turn(text="tok tok tok", hold=threading.Event()))
    req = CompletionRequest(model=SLOW_READS, messages=[ChatMessage("user", "x")], timeout=2.0)
    seen, error = await stream_until_error(DeadlineProvider(provider), req)
    assert error.code is Code.DEADLINE_EXCEEDED
    assert seen == [TextDelta("tok ")]
    assert await asyncio.to_thread(fake.disconnected.wait, 10)


async def test_aclose_mid_stream_drops_the_upstream_connection(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(Turn(text=" ".join(["tok"] * 200), chunk_delay=0.02))
    stream = provider.stream(request())
    assert await anext(stream) == TextDelta("tok ")
    await stream.aclose()
    # The fake's next writes hit a closed socket well before its 4 s of tokens end.
    assert await asyncio.to_thread(fake.disconnected.wait, 3.0)


async def test_cancelling_the_consumer_drops_the_upstream_connection(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    # Slow tokens: the consumer is cancelled while a worker thread waits for the next one.
    fake.script(Turn(text=" ".join(["tok"] * 20), chunk_delay=0.25))
    first = asyncio.Event()

    async def consume() -> None:
        async for _event in provider.stream(request()):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(fake.disconnected.wait, 3.0)
    assert len(fake.received) == 1


async def test_cancelling_frees_the_worker_thread_blocked_reading(
    fake: FakeBedrock, aws_keys: None
) -> None:
    # One worker thread, and a model that never sends its second word. The consumer
    # is cancelled while that thread waits for it; the next call can only run if the
    # blocked read was woken up, not left waiting for a word that never comes.
    provider = BedrockProvider("bedrock", config(fake, max_concurrency=1, timeout_seconds=60))
    fake.script(Turn(text="slow words here", hold=threading.Event()), Turn(text="next"))
    try:
        task = await _hold_the_only_thread(provider)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        completion = await provider.complete(request())
        assert completion.text == "next"
        # Before the read timeout (60 s): neither the event loop nor the thread waited.
        assert time.monotonic() - started < 30
    finally:
        await provider.aclose()


# -- credentials, region, readiness --------------------------------------------------


class FakeInstanceMetadata(LocalServer):
    """EC2's instance-metadata service (IMDSv2), one role; holds its first answer till released."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        metadata = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_PUT(self) -> None:  # the session token
                metadata.asked.set()
                metadata.release.wait(5)
                self._answer("token-123")

            def do_GET(self) -> None:
                role_path = "/latest/meta-data/iam/security-credentials/"
                if self.path == role_path:
                    self._answer("bedrock-role")
                    return
                self._answer(
                    json.dumps(
                        {
                            "Code": "Success",
                            "AccessKeyId": "ASIAFROMROLE",
                            "SecretAccessKey": "role-secret",
                            "Token": "role-token",
                            "Expiration": "2099-01-01T00:00:00Z",
                        }
                    )
                )

            def _answer(self, text: str) -> None:
                payload = text.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)
        self.url = self.root_url + "/"

    def stop(self) -> None:
        self.release.set()
        super().stop()


@pytest.fixture
def instance_metadata(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeInstanceMetadata]:
    """botocore's instance-metadata lookups go to this fake (still off unless a test enables it)."""
    with FakeInstanceMetadata() as metadata:
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata.url)
        yield metadata


@pytest.mark.parametrize("switch", ["AWS_EC2_METADATA_DISABLED", "instance_metadata: false"])
async def test_without_credentials_unavailable_with_guidance(
    fake: FakeBedrock,
    aws_home: Path,
    instance_metadata: FakeInstanceMetadata,
    monkeypatch: pytest.MonkeyPatch,
    switch: str,
) -> None:
    # Instance metadata switched off one way or the other: nothing is looked up on
    # the network, so nothing can wait.
    if switch == "AWS_EC2_METADATA_DISABLED":
        provider = BedrockProvider("bedrock", config(fake))
    else:
        monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
        provider = BedrockProvider("bedrock", config(fake, instance_metadata=False))
    try:
        availability = provider.availability(MODEL)
        assert not availability.available
        assert "AWS_PROFILE" in availability.reason
        assert "AWS_ACCESS_KEY_ID" in availability.reason
        with pytest.raises(ApiError) as caught:
            await provider.complete(request())
        assert caught.value.code is Code.FAILED_PRECONDITION
        assert "AWS_PROFILE" in caught.value.message
        assert not (await provider.check_ready()).available
        assert fake.received == []
        assert not instance_metadata.asked.is_set()
    finally:
        await provider.aclose()


async def test_with_env_keys_available(fake: FakeBedrock, aws_keys: None) -> None:
    provider = BedrockProvider("bedrock", config(fake))
    try:
        assert provider.availability(MODEL).available
        # A signed listing the endpoint answered; no model was invoked.
        assert await provider.check_ready() == Availability(True)
        assert (fake.listings, fake.received) == (1, [])
    finally:
        await provider.aclose()


async def test_readiness_fails_when_aws_rejects_the_credentials(
    fake: FakeBedrock, aws_keys: None
) -> None:
    fake.credentials_error = unrecognized_client().error
    provider = BedrockProvider("bedrock", config(fake))
    try:
        ready = await provider.check_ready()
        assert not ready.available
        assert "UnrecognizedClientException" in ready.reason
        # Other errors still prove the signature was accepted: ready.
        fake.credentials_error = access_denied().error
        assert (await provider.check_ready()).available
    finally:
        await provider.aclose()


async def test_no_region_unavailable_until_aws_region_is_set(
    fake: FakeBedrock, aws_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_region = BedrockProvider("bedrock", {"endpoint_url": fake.url})
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    from_env = BedrockProvider("bedrock", {"endpoint_url": fake.url})
    try:
        missing = no_region.availability(MODEL)
        assert not missing.available
        assert "AWS_REGION" in missing.reason
        assert from_env.availability(MODEL).available
        await from_env.complete(request())
        assert "/eu-central-1/bedrock/" in fake.received[-1].headers["Authorization"]
    finally:
        await no_region.aclose()
        await from_env.aclose()


async def test_profile_from_aws_profile_gives_keys_and_region(
    fake: FakeBedrock, aws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (aws_home / "config").write_text("[profile team]\nregion = eu-west-3\n")
    (aws_home / "credentials").write_text(
        "[team]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "team")
    provider = BedrockProvider("bedrock", {"endpoint_url": fake.url})
    try:
        assert provider.availability(MODEL).available
        await provider.complete(request())
        authorization = fake.received[-1].headers["Authorization"]
        assert "Credential=AKIDFROMPROFILE/" in authorization
        assert "/eu-west-3/bedrock/" in authorization
    finally:
        await provider.aclose()


async def test_unknown_profile_is_unavailable_with_its_name(
    fake: FakeBedrock, aws_keys: None
) -> None:
    provider = BedrockProvider("bedrock", config(fake, profile="nosuchprofile"))
    try:
        availability = provider.availability(MODEL)
        assert not availability.available
        assert "nosuchprofile" in availability.reason
    finally:
        await provider.aclose()


async def test_instance_role_is_looked_up_without_blocking_availability(
    fake: FakeBedrock,
    aws_home: Path,
    instance_metadata: FakeInstanceMetadata,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    metadata = instance_metadata
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    provider = BedrockProvider("bedrock", config(fake, metadata_timeout_seconds=5))
    try:
        assert await asyncio.to_thread(metadata.asked.wait, 5)
        # The lookup is under way and held by the service: availability answers anyway.
        pending = provider.availability(MODEL)
        assert not pending.available
        assert "instance role" in pending.reason
        metadata.release.set()
        # A call waits for the lookup, then signs with the role's credentials.
        assert (await provider.complete(request())).text == "Hello from Bedrock"
        assert "Credential=ASIAFROMROLE/" in fake.received[-1].headers["Authorization"]
        assert provider.availability(MODEL).available
    finally:
        await provider.aclose()


# -- a busy pool ---------------------------------------------------------------------


async def _hold_the_only_thread(provider: BedrockProvider) -> "asyncio.Task[None]":
    """A stream whose worker thread is blocked reading a slow model (scripted by the caller)."""
    first = asyncio.Event()

    async def consume() -> None:
        async for _event in provider.stream(request()):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    await asyncio.sleep(0.2)  # the worker is now blocked reading the next word
    return task


async def test_a_call_given_up_while_queued_is_never_sent(
    fake: FakeBedrock, aws_keys: None
) -> None:
    # One worker thread, busy with a slow stream: a Converse call queues behind it and
    # its caller's deadline passes. That call must not reach Bedrock later (a billed
    # answer for nobody, and one more wait for everyone queued behind it).
    provider = BedrockProvider("bedrock", config(fake, max_concurrency=1, timeout_seconds=10))
    fake.script(Turn(text="slow words here", chunk_delay=5.0), Turn(text="wanted"))
    try:
        holder = await _hold_the_only_thread(provider)
        queued = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=0.3)
        with pytest.raises(ApiError) as caught:
            await DeadlineProvider(provider).complete(queued)
        assert caught.value.code is Code.DEADLINE_EXCEEDED
        holder.cancel()
        with pytest.raises(asyncio.CancelledError):
            await holder
        # The next call runs after anything still queued: only it reaches Bedrock.
        assert (await provider.complete(request())).text == "wanted"
        assert [r.operation for r in fake.received] == ["converse-stream", "converse"]
    finally:
        await provider.aclose()


async def test_readiness_answers_while_every_worker_thread_is_busy(
    fake: FakeBedrock, aws_keys: None
) -> None:
    # /readyz must not queue behind long streams: a load balancer would take a busy
    # process out of service exactly when it is busy.
    provider = BedrockProvider("bedrock", config(fake, max_concurrency=1, timeout_seconds=60))
    fake.script(Turn(text="slow words here", hold=threading.Event()))  # never goes on
    try:
        holder = await _hold_the_only_thread(provider)
        assert (await asyncio.wait_for(provider.check_ready(), 30)).available
        holder.cancel()
        with pytest.raises(asyncio.CancelledError):
            await holder
    finally:
        await provider.aclose()


async def test_aclose_ends_open_streams_at_once(fake: FakeBedrock, aws_keys: None) -> None:
    # Shutdown with a stream open, its worker thread blocked reading a slow model:
    # the stream ends now with UNAVAILABLE (the connection dropped, the thread freed),
    # not at the model's next word, and a call made afterwards is refused the same way.
    provider = BedrockProvider("bedrock", config(fake, timeout_seconds=60))
    fake.script(Turn(text="slow words here", hold=threading.Event()))  # no next word, ever
    stream = provider.stream(request())
    assert await anext(stream) == TextDelta("slow ")
    pending = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.2)  # most likely a worker thread is blocked reading by now
    await provider.aclose()
    with pytest.raises(ApiError) as caught:
        await asyncio.wait_for(pending, 30)
    assert caught.value.code is Code.UNAVAILABLE
    assert await asyncio.to_thread(fake.disconnected.wait, 10)
    with pytest.raises(ApiError) as refused:
        await provider.complete(request())
    assert refused.value.code is Code.UNAVAILABLE
    assert fake.received[-1].operation == "converse-stream"


async def test_calls_beyond_max_concurrency_wait_for_a_free_slot(
    fake: FakeBedrock, aws_keys: None, caplog: pytest.LogCaptureFixture
) -> None:
    # Two slots, four streams: two reach Bedrock, the others wait for one to end. Each
    # open stream so always has a thread to read it and a pooled connection; unbounded,
    # the threads were shared by every open stream (a thread blocked on a slow model's
    # stream left the others' tokens waiting) and urllib3 discarded the extra
    # connections, with a warning each.
    provider = BedrockProvider("bedrock", config(fake, max_concurrency=2, timeout_seconds=60))
    go_on = threading.Event()  # the first two streams stall after their first word until set
    fake.script(
        *[Turn(text="a b c d", hold=go_on) for _ in range(2)], Turn("a b c d"), Turn("a b c d")
    )
    try:
        tasks = [asyncio.create_task(collect(provider, request())) for _ in range(4)]
        for _ in range(200):  # the first two calls arrive (bounded: 10 s)
            if len(fake.received) >= 2:
                break
            await asyncio.sleep(0.05)
        # Time for a wrong third call to show up; the two streams cannot end meanwhile.
        await asyncio.sleep(0.3)
        assert len(fake.received) == 2
        go_on.set()
        results = await asyncio.wait_for(asyncio.gather(*tasks), 10)
        assert all(
            events[:4] == [TextDelta(w) for w in ("a ", "b ", "c ", "d")] for events in results
        )
        assert len(fake.received) == 4
        assert "pool is full" not in caplog.text
    finally:
        await provider.aclose()


async def test_waiting_for_a_slot_counts_against_the_request_timeout(
    fake: FakeBedrock, aws_keys: None
) -> None:
    provider = BedrockProvider("bedrock", config(fake, max_concurrency=1, timeout_seconds=10))
    fake.script(Turn(text="slow words here", chunk_delay=5.0))
    try:
        holder = await _hold_the_only_thread(provider)
        queued = CompletionRequest(model=MODEL, messages=[ChatMessage("user", "x")], timeout=0.3)
        with pytest.raises(ApiError) as caught:
            await collect(DeadlineProvider(provider), queued)
        assert caught.value.code is Code.DEADLINE_EXCEEDED
        assert len(fake.received) == 1
        holder.cancel()
        with pytest.raises(asyncio.CancelledError):
            await holder
    finally:
        await provider.aclose()


async def test_a_call_cancelled_during_the_instance_role_lookup_does_not_cancel_the_lookup(
    fake: FakeBedrock,
    aws_home: Path,
    instance_metadata: FakeInstanceMetadata,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A client that hangs up (or a deadline) while its call waits for the EC2 role
    # must not take the role away from everyone else.
    metadata = instance_metadata
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    provider = BedrockProvider("bedrock", config(fake, metadata_timeout_seconds=5))
    try:
        assert await asyncio.to_thread(metadata.asked.wait, 5)
        waiting = asyncio.create_task(provider.complete(request()))
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        metadata.release.set()
        assert (await provider.complete(request())).text == "Hello from Bedrock"
        assert "Credential=ASIAFROMROLE/" in fake.received[-1].headers["Authorization"]
        assert provider.availability(MODEL).available
    finally:
        await provider.aclose()


# -- tools, images, structured output, embeddings -----------------------------------------

WEATHER_TOOL = Tool(
    "get_weather",
    "The weather now.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TWO_CALLS = Turn(
    text="Checking both.",
    stop_reason="tool_use",
    tool_uses=[
        {"toolUseId": "tu_1", "name": "get_weather", "input": {"city": "Lisbon"}},
        {"toolUseId": "tu_2", "name": "get_weather", "input": {"city": "Porto"}},
    ],
)


def tool_request() -> CompletionRequest:
    return CompletionRequest(
        model=MODEL, messages=[ChatMessage("user", "Lisbon and Porto?")], tools=(WEATHER_TOOL,)
    )


async def test_a_stream_of_tool_uses_becomes_tool_call_deltas_by_index(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(TWO_CALLS)
    events = await collect(provider, tool_request())
    assert [e for e in events if isinstance(e, TextDelta)] == [
        TextDelta("Checking "),
        TextDelta("both."),
    ]
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(c.index, c.id, c.name) for c in calls if c.id] == [
        (0, "tu_1", "get_weather"),
        (1, "tu_2", "get_weather"),
    ]
    for index, city in ((0, "Lisbon"), (1, "Porto")):
        pieces = [c.arguments for c in calls if c.index == index]
        assert len(pieces) == 3  # the opening piece, then the input's JSON in two fragments
        assert json.loads("".join(pieces)) == {"city": city}
    end = events[-1]
    assert isinstance(end, StreamEnd) and end.finish_reason is FinishReason.TOOL_CALLS
    config = fake.received[-1].body["toolConfig"]
    assert config["toolChoice"] == {"auto": {}}
    assert config["tools"][0]["toolSpec"]["inputSchema"]["json"] == WEATHER_TOOL.parameters


async def test_converse_tool_uses_become_tool_calls(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    fake.script(TWO_CALLS)
    answer = await provider.complete(tool_request())
    assert answer.text == "Checking both."
    assert answer.finish_reason is FinishReason.TOOL_CALLS
    assert [(c.id, json.loads(c.arguments)) for c in answer.tool_calls] == [
        ("tu_1", {"city": "Lisbon"}),
        ("tu_2", {"city": "Porto"}),
    ]


async def test_tool_results_follow_as_one_user_turn_and_images_as_image_blocks(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    gif = b"GIF89a\x01\x00\x01\x00"
    calls = (
        ToolCall("tu_1", "get_weather", '{"city": "Lisbon"}'),
        ToolCall("tu_2", "get_weather", '{"city": "Porto"}'),
    )
    await provider.complete(
        CompletionRequest(
            model=MODEL,
            messages=[
                ChatMessage("user", "This city?", images=(Image("image/gif", gif),)),
                ChatMessage("assistant", "", tool_calls=calls),
                ChatMessage("tool", "sunny", tool_call_id="tu_1"),
                ChatMessage("tool", "rainy", tool_call_id="tu_2"),
            ],
            tools=(WEATHER_TOOL,),
            tool_choice=ToolChoice("none"),
        )
    )
    sent = fake.received[-1]
    assert [m["role"] for m in sent.body["messages"]] == ["user", "assistant", "user"]
    (image,) = sent.blocks("image")
    assert image["format"] == "gif" and base64.b64decode(image["source"]["bytes"]) == gif
    assert [r["toolUseId"] for r in sent.blocks("toolResult")] == ["tu_1", "tu_2"]
    # tool_choice none, yet the history holds tool blocks: Converse needs the tools declared.
    assert "toolChoice" not in sent.body["toolConfig"]


async def test_structured_output_is_a_forced_tool_whose_input_is_the_answer(
    provider: BedrockProvider, fake: FakeBedrock
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    use = {"toolUseId": "tu_9", "name": "structured_answer", "input": {"city": "Lisbon"}}
    fake.script(Turn(text="", stop_reason="tool_use", tool_uses=[use]))
    fake.script(Turn(text="", stop_reason="tool_use", tool_uses=[use]))
    req = CompletionRequest(
        model=MODEL,
        messages=[ChatMessage("user", "Where?")],
        response_format=ResponseFormat("json_schema", name="place", schema=schema),
    )
    answer = await provider.complete(req)
    assert json.loads(answer.text) == {"city": "Lisbon"}
    assert answer.finish_reason is FinishReason.STOP and answer.tool_calls == ()
    streamed = await collect(provider, req)
    text = "".join(e.text for e in streamed if isinstance(e, TextDelta))
    assert json.loads(text) == {"city": "Lisbon"}
    assert not any(isinstance(e, ToolCallDelta) for e in streamed)
    config = fake.received[-1].body["toolConfig"]
    assert config["toolChoice"] == {"tool": {"name": "structured_answer"}}
    assert config["tools"][0]["toolSpec"]["inputSchema"]["json"] == schema
    with pytest.raises(ApiError) as both:
        await provider.complete(replace(req, tools=(WEATHER_TOOL,)))
    assert both.value.code is Code.INVALID_ARGUMENT


async def test_embeddings_through_invoke_model(fake: FakeBedrock, aws_keys: None) -> None:
    # A read timeout of its own: 100 vectors of 1024 numbers are no 0.5 s read on a busy machine.
    provider = BedrockProvider("bedrock", config(fake, timeout_seconds=30))
    try:
        await _embeddings_through_invoke_model(provider, fake)
    finally:
        await provider.aclose()


async def _embeddings_through_invoke_model(provider: BedrockProvider, fake: FakeBedrock) -> None:
    titan = replace(MODEL, id="titan", upstream_id="amazon.titan-embed-text-v2:0")
    result = await provider.embed(EmbeddingRequest(titan, ["red apple", "pear"], dimensions=512))
    assert result.vectors == [embedding_of("red apple", 512), embedding_of("pear", 512)]
    assert result.input_tokens == 3
    assert [r.body["inputText"] for r in fake.received] == ["red apple", "pear"]
    cohere = replace(MODEL, id="cohere", upstream_id="cohere.embed-multilingual-v3")
    result = await provider.embed(EmbeddingRequest(cohere, [f"t{i}" for i in range(100)]))
    assert len(result.vectors) == 100 and result.vectors[99] == embedding_of("t99", 1024)
    assert [len(r.body["texts"]) for r in fake.received[2:]] == [96, 4]  # Cohere's batch limit
    with pytest.raises(ApiError) as refused:
        await provider.embed(EmbeddingRequest(cohere, ["x"], dimensions=256))
    assert refused.value.code is Code.INVALID_ARGUMENT
    fake.script(*[throttling()] * provider.retry.max_attempts)
    with pytest.raises(ApiError) as throttled:  # retried as any call, then 14
        await provider.embed(EmbeddingRequest(titan, ["x"]))
    assert throttled.value.code is Code.UNAVAILABLE
    assert f"after {provider.retry.max_attempts} attempts" in throttled.value.message
