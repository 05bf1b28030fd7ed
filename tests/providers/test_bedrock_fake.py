"""The Bedrock fake against the real boto3 client and botocore's own event-stream parser.

If these pass, the provider tests that use the fake exercise boto3's real signing,
restJson1 error parsing and binary event-stream decoding.
"""

import base64
import json
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import urllib3.exceptions
from botocore.config import Config
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError, ReadTimeoutError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from tests.fakes.bedrock import (
    AwsError,
    FakeBedrock,
    Turn,
    access_denied,
    daily_tokens_exhausted,
    encode_frame,
    event_frame,
    exception_frame,
    model_error,
    model_not_ready,
    model_timeout,
    not_found,
    prompt_too_long,
    quota_exceeded,
    server_error,
    service_unavailable,
    throttling,
    validation,
)

MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MESSAGES: Any = [{"role": "user", "content": [{"text": "Say hello"}]}]


@pytest.fixture
def fake() -> Iterator[FakeBedrock]:
    with FakeBedrock() as server:
        yield server


def make_client(fake: FakeBedrock, read_timeout: float = 10) -> BedrockRuntimeClient:
    # total_max_attempts=1 is "no retries". (`max_attempts` counts *retries*: with
    # max_attempts=1 botocore would send a throttled call twice, taking two turns.)
    config = Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout)
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=fake.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=config,
    )


@pytest.fixture
def client(fake: FakeBedrock) -> BedrockRuntimeClient:
    return make_client(fake)


def stream_events(client: BedrockRuntimeClient, **kwargs: Any) -> Iterator[dict[str, Any]]:
    response = client.converse_stream(modelId=MODEL_ID, messages=MESSAGES, **kwargs)
    for event in response["stream"]:
        yield dict(event)


def test_converse_answers_text_usage_stop_reason_and_metrics(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="Hi there, human", input_tokens=11, output_tokens=4))

    response = client.converse(modelId=MODEL_ID, messages=MESSAGES)

    assert response["output"]["message"] == {
        "role": "assistant",
        "content": [{"text": "Hi there, human"}],
    }
    assert response["stopReason"] == "end_turn"
    assert response["usage"] == {"inputTokens": 11, "outputTokens": 4, "totalTokens": 15}
    assert response["metrics"]["latencyMs"] >= 0
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_turns_are_taken_in_order_then_the_default(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="first", stop_reason="max_tokens"), Turn(text="second"))

    answers = [client.converse(modelId=MODEL_ID, messages=MESSAGES) for _ in range(3)]

    assert [a["output"]["message"]["content"][0].get("text") for a in answers] == [
        "first",
        "second",
        "Hello from Bedrock",
    ]
    assert answers[0]["stopReason"] == "max_tokens"


def test_request_is_recorded_with_decoded_model_id_system_and_inference_config(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    client.converse(
        modelId=MODEL_ID,
        messages=MESSAGES,
        system=[{"text": "Be brief."}],
        inferenceConfig={"maxTokens": 64, "temperature": 0.2, "stopSequences": ["END"]},
    )
    list(stream_events(client, system=[{"text": "Stream it."}]))

    first, second = fake.received
    assert first.operation == "converse"
    assert second.operation == "converse-stream"
    assert first.model_id == MODEL_ID == second.model_id
    assert first.body == {
        "messages": [{"role": "user", "content": [{"text": "Say hello"}]}],
        "system": [{"text": "Be brief."}],
        "inferenceConfig": {"maxTokens": 64, "temperature": 0.2, "stopSequences": ["END"]},
    }
    assert second.body["system"] == [{"text": "Stream it."}]
    assert first.messages == [("user", "Say hello")]
    assert (first.system, second.system) == ("Be brief.", "Stream it.")
    assert first.inference_config["maxTokens"] == 64
    assert second.inference_config == {}
    # boto3 signed the request (SigV4 with the client's credentials and region).
    assert first.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=x/")
    assert "/us-east-1/bedrock/aws4_request" in first.headers["Authorization"]


def test_converse_stream_yields_bedrock_events_in_order(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="one two three", input_tokens=5, output_tokens=3, stop_reason="end_turn"))

    events = list(stream_events(client))

    assert events == [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "one "}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "two "}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "three"}}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {
                "usage": {"inputTokens": 5, "outputTokens": 3, "totalTokens": 8},
                "metrics": {"latencyMs": events[-1]["metadata"]["metrics"]["latencyMs"]},
            }
        },
    ]


def test_stream_content_type_is_eventstream(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    response = client.converse_stream(modelId=MODEL_ID, messages=MESSAGES)
    list(response["stream"])
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/vnd.amazon.eventstream"
    assert headers["transfer-encoding"] == "chunked"


def test_chunk_delay_spaces_the_deltas(fake: FakeBedrock, client: BedrockRuntimeClient) -> None:
    fake.script(Turn(text="a b c", chunk_delay=0.1))
    started = time.monotonic()
    arrivals: list[float] = []
    for event in stream_events(client):
        if "contentBlockDelta" in event:
            arrivals.append(time.monotonic())
    assert len(arrivals) == 3
    # Two delays stand before the last delta, whenever the first one was read (a
    # busy client may read the first late and the others at once).
    assert arrivals[2] - started >= 0.2


ERRORS: list[tuple[Callable[[], Turn], str, int]] = [
    (throttling, "ThrottlingException", 429),
    (validation, "ValidationException", 400),
    (prompt_too_long, "ValidationException", 400),
    (access_denied, "AccessDeniedException", 403),
    (not_found, "ResourceNotFoundException", 404),
    (model_timeout, "ModelTimeoutException", 408),
    (quota_exceeded, "ServiceQuotaExceededException", 400),
    (server_error, "InternalServerException", 500),
    (service_unavailable, "ServiceUnavailableException", 503),
    (model_not_ready, "ModelNotReadyException", 429),
    (model_error, "ModelErrorException", 424),
    (daily_tokens_exhausted, "ThrottlingException", 429),
]


@pytest.mark.parametrize(("make_turn", "code", "status"), ERRORS)
@pytest.mark.parametrize("operation", ["converse", "converse-stream"])
def test_aws_errors_become_client_errors_with_code_and_status(
    fake: FakeBedrock,
    client: BedrockRuntimeClient,
    make_turn: Callable[[], Turn],
    code: str,
    status: int,
    operation: str,
) -> None:
    turn = make_turn()
    fake.script(turn)

    with pytest.raises(ClientError) as caught:
        if operation == "converse":
            client.converse(modelId=MODEL_ID, messages=MESSAGES)
        else:
            client.converse_stream(modelId=MODEL_ID, messages=MESSAGES)

    error = caught.value.response
    assert error["Error"]["Code"] == code
    assert turn.error is not None
    assert error["Error"]["Message"] == turn.error.message
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    # boto3 also raises the modeled exception class of that name.
    assert type(caught.value).__name__ == code
    assert len(fake.received) == 1  # no retry took a second turn


def test_status_codes_match_botocore_service_model() -> None:
    client: Any = boto3.client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    shapes = client.meta.service_model
    for make_turn, code, status in ERRORS:
        error = make_turn().error
        assert error is not None
        assert shapes.shape_for(code).metadata["error"]["httpStatusCode"] == status == error.status


@pytest.mark.parametrize(
    ("stream_error", "code"),
    [
        (None, "internalServerException"),
        (throttling().error, "throttlingException"),
        (AwsError("ModelStreamErrorException", 424, "stream broke"), "modelStreamErrorException"),
        (validation().error, "validationException"),
        (service_unavailable().error, "serviceUnavailableException"),
    ],
)
def test_stream_error_after_n_deltas_raises_event_stream_error(
    fake: FakeBedrock, client: BedrockRuntimeClient, stream_error: AwsError | None, code: str
) -> None:
    fake.script(Turn(text="one two three", stream_error_after=2, stream_error=stream_error))
    seen: list[dict[str, Any]] = []

    with pytest.raises(EventStreamError) as caught:
        for event in stream_events(client):
            seen.append(event)

    assert caught.value.response["Error"]["Code"] == code
    assert [e["contentBlockDelta"]["delta"]["text"] for e in seen[1:]] == ["one ", "two "]


@pytest.mark.parametrize(
    ("after", "deltas"), [(0, []), (3, ["one ", "two ", "three"]), (9, ["one ", "two ", "three"])]
)
def test_stream_error_at_the_edges_comes_before_content_block_stop(
    fake: FakeBedrock, client: BedrockRuntimeClient, after: int, deltas: list[str]
) -> None:
    fake.script(Turn(text="one two three", stream_error_after=after))
    seen: list[dict[str, Any]] = []

    with pytest.raises(EventStreamError) as caught:
        for event in stream_events(client):
            seen.append(event)

    assert caught.value.response["Error"]["Code"] == "internalServerException"
    assert seen[0] == {"messageStart": {"role": "assistant"}}
    assert [e["contentBlockDelta"]["delta"]["text"] for e in seen[1:]] == deltas


def test_model_stream_error_carries_its_extra_fields(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    error = AwsError(
        "ModelStreamErrorException",
        424,
        "The model stream failed.",
        {"originalStatusCode": 500, "originalMessage": "upstream crashed"},
    )
    fake.script(Turn(stream_error_after=1, stream_error=error))

    with pytest.raises(EventStreamError) as caught:
        list(stream_events(client))

    assert caught.value.response["Error"] == {
        "Code": "modelStreamErrorException",
        "Message": "The model stream failed.",
    }


def test_malformed_frame_makes_botocore_raise_checksum_mismatch(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="one two three", malformed_after=1))
    seen: list[dict[str, Any]] = []

    with pytest.raises(ChecksumMismatch):
        for event in stream_events(client):
            seen.append(event)

    assert len(seen) == 2  # messageStart and the first delta came through


def test_cut_after_n_deltas_raises_protocol_error_mid_iteration(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    # The chunked body ends without its terminating chunk: urllib3 raises
    # ProtocolError("Response ended prematurely") out of the stream iteration
    # (botocore does not wrap it).
    fake.script(Turn(text="one two three", cut_after=2))
    seen: list[dict[str, Any]] = []

    with pytest.raises(urllib3.exceptions.ProtocolError):
        for event in stream_events(client):
            seen.append(event)

    assert len(seen) == 3
    assert not any("messageStop" in e for e in seen)


def test_client_closing_the_stream_early_sets_disconnected(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text=" ".join(["word"] * 40), chunk_delay=0.02))
    response = client.converse_stream(modelId=MODEL_ID, messages=MESSAGES)
    stream = response["stream"]

    first = next(iter(stream))
    stream.close()

    assert "messageStart" in first
    assert fake.disconnected.wait(5)


def test_delay_makes_a_slow_model_that_a_read_timeout_gives_up_on(fake: FakeBedrock) -> None:
    fake.script(Turn(delay=30))  # cut short when the fake stops
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        make_client(fake, read_timeout=0.3).converse(modelId=MODEL_ID, messages=MESSAGES)
    assert time.monotonic() - started < 15


def test_reset_forgets_turns_and_requests(fake: FakeBedrock, client: BedrockRuntimeClient) -> None:
    fake.script(throttling())
    fake.reset()
    answer = client.converse(modelId=MODEL_ID, messages=MESSAGES)
    assert answer["output"]["message"]["content"][0].get("text") == "Hello from Bedrock"
    fake.reset()
    assert fake.received == []


def test_stop_cuts_a_long_delay_short() -> None:
    fake = FakeBedrock().start()
    fake.script(Turn(delay=30))
    client = make_client(fake, read_timeout=10)
    started = time.monotonic()
    timer = threading.Timer(0.3, fake.stop)
    timer.start()
    # The call in flight is answered at once instead of after the scripted 30 s.
    answer = client.converse(modelId=MODEL_ID, messages=MESSAGES)
    timer.join()
    assert answer["stopReason"] == "end_turn"
    assert time.monotonic() - started < 5


# The encoder against botocore's own parser.


def test_frames_decode_with_botocore_eventstream_buffer() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(event_frame("messageStop", {"stopReason": "end_turn"}))
    buffer.add_data(exception_frame(AwsError("ThrottlingException", 429, "slow down")))

    # botocore's view of each message (its stubs mistype EventStreamMessage.headers).
    stop, exception = (message.to_response_dict() for message in buffer)

    assert stop["headers"] == {
        ":event-type": "messageStop",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(stop["body"]) == {"stopReason": "end_turn"}
    assert exception["headers"][":message-type"] == "exception"
    assert exception["headers"][":exception-type"] == "throttlingException"
    assert json.loads(exception["body"]) == {"message": "slow down"}
    assert exception["status_code"] == 400


def test_frame_split_across_reads_decodes() -> None:
    frame = event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "hé"}})
    buffer = EventStreamBuffer()
    decoded: list[bytes] = []
    for i in range(0, len(frame), 5):
        buffer.add_data(frame[i : i + 5])
        decoded.extend(message.payload for message in buffer)
    assert len(decoded) == 1
    assert json.loads(decoded[0])["delta"]["text"] == "hé"


def test_prelude_describes_the_frame() -> None:
    payload = b'{"role":"assistant"}'
    frame = encode_frame({":event-type": "messageStart"}, payload)
    total, headers_length = struct.unpack(">II", frame[:8])
    assert total == len(frame)
    assert headers_length == len(frame) - 16 - len(payload)


def test_corrupt_message_crc_makes_botocore_raise() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(event_frame("messageStop", {"stopReason": "end_turn"}, corrupt=True))
    with pytest.raises(ChecksumMismatch):
        list(buffer)


def test_corrupt_prelude_crc_makes_botocore_raise() -> None:
    frame = bytearray(event_frame("messageStop", {"stopReason": "end_turn"}))
    frame[8] ^= 0xFF  # first byte of the prelude CRC
    buffer = EventStreamBuffer()
    buffer.add_data(bytes(frame))
    with pytest.raises(ChecksumMismatch):
        list(buffer)


def test_reasoning_comes_first_as_its_own_block(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="Four.", reasoning="two plus two"), Turn(text="Four.", reasoning="hmm"))

    answer = client.converse(modelId=MODEL_ID, messages=MESSAGES)
    events = list(stream_events(client))

    reasoning, text = answer["output"]["message"]["content"]
    assert reasoning["reasoningContent"]["reasoningText"]["text"] == "two plus two"
    assert text == {"text": "Four."}
    assert events[1:4] == [
        {
            "contentBlockDelta": {
                "contentBlockIndex": 0,
                "delta": {"reasoningContent": {"text": "hmm"}},
            }
        },
        {
            "contentBlockDelta": {
                "contentBlockIndex": 0,
                "delta": {"reasoningContent": {"signature": "EqoBCkgIARABGAIiQL2f"}},
            }
        },
        {"contentBlockStop": {"contentBlockIndex": 0}},
    ]
    assert events[4] == {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"text": "Four."}}}
    assert events[5] == {"contentBlockStop": {"contentBlockIndex": 1}}


def test_credentials_error_rejects_every_request_without_taking_a_turn(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    fake.script(Turn(text="kept"))
    fake.credentials_error = AwsError(
        "ExpiredTokenException", 403, "The security token included in the request is expired"
    )
    with pytest.raises(ClientError) as converse:
        client.converse(modelId=MODEL_ID, messages=MESSAGES)
    with pytest.raises(ClientError) as listing:
        client.list_async_invokes(maxResults=1)
    for caught in (converse, listing):
        assert caught.value.response["Error"]["Code"] == "ExpiredTokenException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    fake.credentials_error = None
    answer = client.converse(modelId=MODEL_ID, messages=MESSAGES)
    assert answer["output"]["message"]["content"][0].get("text") == "kept"


def test_list_async_invokes_answers_an_empty_list_and_is_counted_not_recorded(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    listing = client.list_async_invokes(maxResults=1)
    assert listing["asyncInvokeSummaries"] == []
    assert (fake.listings, fake.received) == (1, [])


def test_tool_use_streams_as_bedrock_sends_it(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    use = {"toolUseId": "tu_1", "name": "get_weather", "input": {"city": "Lisbon"}}
    fake.script(Turn(text="", stop_reason="tool_use", tool_uses=[use]))
    events = [e for e in stream_events(client) if "metadata" not in e]
    half = len(json.dumps(use["input"])) // 2
    assert events == [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {
            "contentBlockStart": {
                "contentBlockIndex": 1,
                "start": {"toolUse": {"toolUseId": "tu_1", "name": "get_weather"}},
            }
        },
        {
            "contentBlockDelta": {
                "contentBlockIndex": 1,
                "delta": {"toolUse": {"input": json.dumps(use["input"])[:half]}},
            }
        },
        {
            "contentBlockDelta": {
                "contentBlockIndex": 1,
                "delta": {"toolUse": {"input": json.dumps(use["input"])[half:]}},
            }
        },
        {"contentBlockStop": {"contentBlockIndex": 1}},
        {"messageStop": {"stopReason": "tool_use"}},
    ]
    fake.script(Turn(text="", stop_reason="tool_use", tool_uses=[use]))
    answer = client.converse(
        modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "x"}]}]
    )
    assert answer["output"]["message"]["content"] == [{"toolUse": use}]
    assert answer["stopReason"] == "tool_use"


def test_tool_blocks_without_tool_config_and_bad_images_are_refused_as_bedrock_does(
    fake: FakeBedrock, client: BedrockRuntimeClient
) -> None:
    use = {"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}
    result = {"toolResult": {"toolUseId": "t", "content": [{"text": "ok"}]}}
    history: Any = [
        {"role": "user", "content": [{"text": "x"}]},
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [result]},
    ]
    with pytest.raises(ClientError) as refused:
        client.converse(modelId=MODEL_ID, messages=history)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "toolConfig" in refused.value.response["Error"]["Message"]
    image: Any = {"image": {"format": "bmp", "source": {"bytes": b"BM"}}}
    with pytest.raises(ClientError) as refused:
        client.converse(modelId=MODEL_ID, messages=[{"role": "user", "content": [image]}])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert fake.turns == deque()  # refusals take no turn
    png: Any = {"image": {"format": "png", "source": {"bytes": b"\x89PNG"}}}
    client.converse(modelId=MODEL_ID, messages=[{"role": "user", "content": [png]}])
    assert base64.b64decode(fake.received[-1].blocks("image")[0]["source"]["bytes"]) == b"\x89PNG"
