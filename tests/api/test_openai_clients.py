"""The OpenAI door as real clients use it: content parts and images, tools, structured output,
embeddings, through the official `openai` SDK against the live server, over each back end:
echo, an OpenAI-compatible upstream (the fake), and Bedrock (boto3 against the wire fake).

The server is configured only through the environment, as an operator would.
"""

import base64
import json
import struct
from collections.abc import Iterator
from typing import Any, cast

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.conftest import ADMIN_SECRET, LiveServer
from tests.fakes import bedrock as bedrock_fake
from tests.fakes import openai_upstream
from tests.fakes.bedrock import FakeBedrock, Turn
from tests.fakes.local_server import LocalServer
from tests.fakes.openai_upstream import FakeOpenAIUpstream, Reply

CHAT = ["chat", "tools", "vision"]
MODELS = [
    {"id": "echo", "provider": "echo", "context_window": 4096, "max_output_tokens": 1024},
    {
        "id": "echo-plain",  # a model that neither calls tools nor sees images
        "provider": "echo",
        "context_window": 4096,
        "max_output_tokens": 1024,
        "capabilities": ["chat"],
    },
    {
        "id": "echo-embed",
        "provider": "echo",
        "context_window": 4096,
        "max_output_tokens": 1,
        "capabilities": ["embeddings"],
    },
    {
        "id": "gpt-local",
        "provider": "upstream",
        "upstream_model_id": "llama3:8b",
        "context_window": 8192,
        "max_output_tokens": 512,
        "capabilities": CHAT,
    },
    {
        "id": "embed-local",
        "provider": "upstream",
        "upstream_model_id": "nomic-embed",
        "context_window": 8192,
        "max_output_tokens": 1,
        "capabilities": ["embeddings"],
    },
    {
        "id": "claude",
        "provider": "bedrock",
        "upstream_model_id": "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "context_window": 200000,
        "max_output_tokens": 4096,
        "capabilities": CHAT,
    },
    {
        "id": "titan",
        "provider": "bedrock",
        "upstream_model_id": "amazon.titan-embed-text-v2:0",
        "context_window": 8192,
        "max_output_tokens": 1,
        "capabilities": ["embeddings"],
    },
    {
        "id": "cohere",
        "provider": "bedrock",
        "upstream_model_id": "cohere.embed-english-v3",
        "context_window": 8192,
        "max_output_tokens": 1,
        "capabilities": ["embeddings"],
    },
]
MAX_IMAGE_BYTES = 4096
# A 1x1 PNG, and the same bytes as a data URL.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
WEATHER: Any = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city now.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TRIP_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
    "additionalProperties": False,
}


class Trip(BaseModel):
    city: str
    days: int


class ImageHost(LocalServer):
    """Serves PNG at /cat.png, and /slow.png only after the test ends (a host that hangs)."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler

        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                if self.path == "/slow.png":
                    host._sleep(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PNG)))
                    self.end_headers()
                    self.wfile.write(PNG)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        super().__init__(Handler)


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeOpenAIUpstream]:
    with FakeOpenAIUpstream() as fake:
        yield fake


@pytest.fixture(scope="module")
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture(scope="module")
def images() -> Iterator[ImageHost]:
    with ImageHost() as host:
        yield host


@pytest.fixture(scope="module")
def server(
    upstream: FakeOpenAIUpstream,
    bedrock: FakeBedrock,
    images: ImageHost,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    with LiveServer(
        tmp_path_factory.mktemp("clients"),
        {
            "AWS_ACCESS_KEY_ID": "AKIDLIVESERVER",
            "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
            "AWS_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PRIVATELLM_PROVIDERS__BEDROCK__TYPE": "bedrock",
            "PRIVATELLM_PROVIDERS__BEDROCK__ENDPOINT_URL": bedrock.url,
            "PRIVATELLM_PROVIDERS__BEDROCK__MAX_ATTEMPTS": "1",
            "PRIVATELLM_PROVIDERS__UPSTREAM__TYPE": "openai",
            "PRIVATELLM_PROVIDERS__UPSTREAM__BASE_URL": upstream.base_url,
            "PRIVATELLM_PROVIDERS__UPSTREAM__MAX_ATTEMPTS": "1",
            "PRIVATELLM_MODELS": json.dumps(MODELS),
            "PRIVATELLM_IMAGES": json.dumps(
                {
                    "max_bytes": MAX_IMAGE_BYTES,
                    "url_hosts": ["127.0.0.1"],
                    "url_timeout_seconds": 1,
                }
            ),
        },
    ) as live:
        yield live


@pytest.fixture
def client(
    server: LiveServer, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock
) -> Iterator[openai.OpenAI]:
    bedrock.reset()
    with upstream._lock:
        upstream.requests.clear()
        upstream.replies.clear()
    with openai.OpenAI(
        base_url=f"{server.url}/openai/v1", api_key=ADMIN_SECRET, max_retries=0
    ) as sdk:
        yield sdk


def requests_counted(server: LiveServer, model: str) -> int:
    response = httpx.get(
        f"{server.url}/v1/usage",
        params={"model": model},
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json().get("totalRequests", 0))


def script_tool_call(backend: str, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock) -> None:
    """The upstream's next answers: a get_weather call for Lisbon, then a text answer."""
    if backend == "gpt-local":
        upstream.script(
            Reply(
                text="",
                finish_reason="tool_calls",
                tool_calls=[
                    {"id": "call_1", "name": "get_weather", "arguments": '{"city": "Lisbon"}'}
                ],
            ),
            Reply(text="Sunny in Lisbon"),
        )
    elif backend == "claude":
        bedrock.script(
            Turn(
                text="",
                stop_reason="tool_use",
                tool_uses=[
                    {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Lisbon"}}
                ],
            ),
            Turn(text="Sunny in Lisbon"),
        )


BACKENDS = ["echo", "gpt-local", "claude"]


# -- content parts and images ---------------------------------------------------------


@pytest.mark.parametrize("model", BACKENDS)
def test_a_text_and_image_message_reaches_the_model(
    client: openai.OpenAI, model: str, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock
) -> None:
    answer = client.chat.completions.create(
        model=model,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this picture?"},
                    {"type": "image_url", "image_url": {"url": PNG_URL, "detail": "low"}},
                ],
            }
        ],
    )
    assert answer.choices[0].finish_reason == "stop"
    if model == "echo":
        assert answer.choices[0].message.content == "Echo: What is in this picture?"
    elif model == "gpt-local":
        sent = upstream.chat_requests()[-1].body
        assert sent is not None
        assert sent["messages"][-1]["content"] == [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": PNG_URL}},
        ]
    else:
        received = bedrock.received[-1]
        assert received.messages == [("user", "What is in this picture?")]
        (image,) = received.blocks("image")
        assert image["format"] == "png"
        assert base64.b64decode(image["source"]["bytes"]) == PNG


def test_an_image_from_an_allowed_host_is_fetched(
    client: openai.OpenAI, images: ImageHost, bedrock: FakeBedrock
) -> None:
    client.chat.completions.create(
        model="claude",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "And this?"},
                    {"type": "image_url", "image_url": {"url": f"{images.root_url}/cat.png"}},
                ],
            }
        ],
    )
    (image,) = bedrock.received[-1].blocks("image")
    assert base64.b64decode(image["source"]["bytes"]) == PNG


# -- tools --------------------------------------------------------------------------


@pytest.mark.parametrize("model", BACKENDS)
def test_a_tool_round_trip(
    client: openai.OpenAI, model: str, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock
) -> None:
    script_tool_call(model, upstream, bedrock)
    ask: list[Any] = [{"role": "user", "content": "Lisbon"}]
    first = client.chat.completions.create(model=model, messages=ask, tools=[WEATHER])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Lisbon"}

    follow_up = [
        *ask,
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "22 C and sunny"},
    ]
    final = client.chat.completions.create(model=model, messages=follow_up, tools=[WEATHER])
    assert final.choices[0].finish_reason == "stop"
    if model == "echo":
        assert final.choices[0].message.content == "Echo: 22 C and sunny"
    elif model == "gpt-local":
        assert final.choices[0].message.content == "Sunny in Lisbon"
        sent = upstream.chat_requests()[-1].body
        assert sent is not None
        assert sent["tools"] == [WEATHER] and sent["tool_choice"] == "auto"
        assert sent["messages"][1]["tool_calls"][0]["id"] == call.id
        assert sent["messages"][2] == {
            "role": "tool",
            "content": "22 C and sunny",
            "tool_call_id": call.id,
        }
    else:
        assert final.choices[0].message.content == "Sunny in Lisbon"
        second = bedrock.received[-1]
        assert second.body["toolConfig"]["tools"][0]["toolSpec"]["name"] == "get_weather"
        assert second.blocks("toolUse") == [
            {"toolUseId": call.id, "name": "get_weather", "input": {"city": "Lisbon"}}
        ]
        assert second.blocks("toolResult") == [
            {"toolUseId": call.id, "content": [{"text": "22 C and sunny"}]}
        ]
        assert [m["role"] for m in second.body["messages"]] == ["user", "assistant", "user"]


@pytest.mark.parametrize("model", BACKENDS)
def test_a_streamed_tool_round_trip(
    client: openai.OpenAI, model: str, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock
) -> None:
    script_tool_call(model, upstream, bedrock)
    ask: list[Any] = [{"role": "user", "content": "Lisbon"}]
    with client.chat.completions.stream(model=model, messages=ask, tools=[WEATHER]) as stream:
        pieces = [e for e in stream if e.type == "tool_calls.function.arguments.delta"]
        first = stream.get_final_completion()
    assert len(pieces) >= 2  # the arguments arrived in fragments, assembled by the SDK
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls or []
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Lisbon"}

    follow_up = [
        *ask,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": call.function.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "22 C and sunny"},
    ]
    with client.chat.completions.stream(model=model, messages=follow_up, tools=[WEATHER]) as stream:
        final = stream.get_final_completion()
    expected = "Echo: 22 C and sunny" if model == "echo" else "Sunny in Lisbon"
    assert final.choices[0].message.content == expected


def test_tool_choice_none_answers_text_and_a_named_choice_calls_that_tool(
    client: openai.OpenAI,
) -> None:
    other: Any = {"type": "function", "function": {"name": "get_time", "parameters": {}}}
    plain = client.chat.completions.create(
        model="echo",
        messages=[{"role": "user", "content": "hi"}],
        tools=[WEATHER],
        tool_choice="none",
    )
    assert plain.choices[0].message.content == "Echo: hi"
    named = client.chat.completions.create(
        model="echo",
        messages=[{"role": "user", "content": "hi"}],
        tools=[WEATHER, other],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    (call,) = named.choices[0].message.tool_calls or []
    assert call.type == "function"
    assert call.function.name == "get_time" and call.function.arguments == "{}"


def test_bedrock_gets_tool_choice_as_converse_says_it(
    client: openai.OpenAI, bedrock: FakeBedrock
) -> None:
    for choice, expected in (
        ("auto", {"auto": {}}),
        ("required", {"any": {}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"tool": {"name": "get_weather"}},
        ),
    ):
        client.chat.completions.create(
            model="claude",
            messages=[{"role": "user", "content": "Lisbon"}],
            tools=[WEATHER],
            tool_choice=cast(Any, choice),
        )
        assert bedrock.received[-1].body["toolConfig"]["toolChoice"] == expected


# -- structured output --------------------------------------------------------------


@pytest.mark.parametrize("model", BACKENDS)
def test_json_object_answers_parse(
    client: openai.OpenAI, model: str, upstream: FakeOpenAIUpstream, bedrock: FakeBedrock
) -> None:
    upstream.script(Reply(text='{"city": "Lisbon"}'))
    bedrock.script(
        Turn(
            text="",
            stop_reason="tool_use",
            tool_uses=[
                {"toolUseId": "t1", "name": "structured_answer", "input": {"city": "Lisbon"}}
            ],
        )
    )
    answer = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Lisbon"}],
        response_format={"type": "json_object"},
    )
    parsed = json.loads(answer.choices[0].message.content or "")
    assert parsed == ({"echo": "Lisbon"} if model == "echo" else {"city": "Lisbon"})
    assert answer.choices[0].finish_reason == "stop"
    if model == "gpt-local":
        sent = upstream.chat_requests()[-1].body
        assert sent is not None and sent["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize("model", BACKENDS)
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_json_schema_answers_match_the_schema(
    client: openai.OpenAI,
    model: str,
    streamed: bool,
    upstream: FakeOpenAIUpstream,
    bedrock: FakeBedrock,
) -> None:
    upstream.script(Reply(text='{"city": "Lisbon", "days": 2}'))
    bedrock.script(
        Turn(
            text="",
            stop_reason="tool_use",
            tool_uses=[
                {
                    "toolUseId": "t1",
                    "name": "structured_answer",
                    "input": {"city": "Lisbon", "days": 2},
                }
            ],
        )
    )
    messages: list[Any] = [{"role": "user", "content": "Lisbon"}]
    if streamed:
        with client.chat.completions.stream(
            model=model, messages=messages, response_format=Trip
        ) as stream:
            trip = stream.get_final_completion().choices[0].message.parsed
    else:
        trip = (
            client.chat.completions.parse(model=model, messages=messages, response_format=Trip)
            .choices[0]
            .message.parsed
        )
    assert isinstance(trip, Trip)
    assert trip.city == "Lisbon" and (trip.days == 1 if model == "echo" else trip.days == 2)
    if model == "gpt-local":
        sent = upstream.chat_requests()[-1].body
        assert sent is not None and sent["response_format"]["type"] == "json_schema"
        assert sent["response_format"]["json_schema"]["name"] == "Trip"
        assert sent["response_format"]["json_schema"]["strict"] is True
    elif model == "claude":
        config = bedrock.received[-1].body["toolConfig"]
        assert config["toolChoice"] == {"tool": {"name": "structured_answer"}}
        schema = config["tools"][0]["toolSpec"]["inputSchema"]["json"]
        assert schema["required"] == ["city", "days"]


# -- embeddings -----------------------------------------------------------------------


def _floats(value: str) -> list[float]:
    raw = base64.b64decode(value)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


@pytest.mark.parametrize(
    ("model", "dimensions", "expected"),
    [
        ("echo-embed", None, 16),
        ("embed-local", 8, 8),
        ("titan", 256, 256),
        ("cohere", None, 1024),
    ],
)
def test_embeddings_float_and_base64(
    client: openai.OpenAI,
    server: LiveServer,
    bedrock: FakeBedrock,
    model: str,
    dimensions: int | None,
    expected: int,
) -> None:
    before = requests_counted(server, model)
    extra: dict[str, Any] = {"dimensions": dimensions} if dimensions else {}
    floats = client.embeddings.create(
        model=model, input=["red apple", "green pear"], encoding_format="float", **extra
    )
    assert [row.index for row in floats.data] == [0, 1]
    first, second = (row.embedding for row in floats.data)
    assert len(first) == expected and first != second
    assert floats.usage.prompt_tokens == 4 and floats.usage.total_tokens == 4
    encoded = client.embeddings.with_raw_response.create(
        model=model, input="red apple", encoding_format="base64", **extra
    ).parse()
    assert isinstance(encoded.data[0].embedding, str)
    assert _floats(encoded.data[0].embedding) == pytest.approx(first, abs=1e-6)
    # The SDK's default asks for base64 and decodes it itself.
    assert client.embeddings.create(model=model, input="red apple", **extra).data[
        0
    ].embedding == pytest.approx(first, abs=1e-6)
    if model in ("titan", "cohere"):
        sent = bedrock.received[0]
        assert sent.operation == "invoke"
        if model == "titan":  # one text per InvokeModel call, with the length asked for
            assert sent.body == {"inputText": "red apple", "normalize": True, "dimensions": 256}
            assert first == pytest.approx(bedrock_fake.embedding_of("red apple", 256), abs=1e-6)
        else:  # Cohere takes the texts together
            assert sent.body["texts"] == ["red apple", "green pear"]
    elif model == "embed-local":
        assert first == pytest.approx(openai_upstream.embedding_of("red apple", 8), abs=1e-6)
    assert requests_counted(server, model) == before + 3


def test_embeddings_refuse_what_the_model_cannot_do(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.embeddings.create(model="echo", input="x")
    assert refused.value.body == {
        "code": 3,
        "message": "model 'echo' does not make embeddings (its capabilities: chat, tools, vision)",
    }
    with pytest.raises(openai.BadRequestError) as refused:
        client.embeddings.create(model="titan", input="x", dimensions=100)
    assert (
        isinstance(refused.value.body, dict) and "dimensions 100" in refused.value.body["message"]
    )
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="echo-embed", messages=[{"role": "user", "content": "x"}]
        )
    assert isinstance(refused.value.body, dict) and refused.value.body["code"] == 3


# -- capabilities ---------------------------------------------------------------------


def test_models_say_what_they_can_do(client: openai.OpenAI, server: LiveServer) -> None:
    listed = {m.id: m.model_extra or {} for m in client.models.list()}
    assert listed["echo"]["capabilities"] == ["chat", "tools", "vision"]
    assert listed["titan"]["capabilities"] == ["embeddings"]
    native = httpx.get(
        f"{server.url}/v1/models/echo-plain",
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        timeout=10,
    ).json()
    assert native["capabilities"] == ["CHAT"]


# -- refusals: 3 with a clear message, nothing sent upstream, nothing counted -----------


def _refused(client: openai.OpenAI, **kwargs: Any) -> str:
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(**{"model": "claude", **kwargs})
    body = refused.value.body
    assert isinstance(body, dict) and body["code"] == 3, body
    return str(body["message"])


def _with_image(url: str) -> list[Any]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "see"},
                {"type": "image_url", "image_url": {"url": url}},
            ],
        }
    ]


USER: Any = [{"role": "user", "content": "Lisbon"}]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"messages": _with_image("data:image/png;base64,@@not base64@@")},
            "messages[0].content[1].image_url.url: the data URL is not valid base64",
        ),
        (
            {"messages": _with_image("data:text/plain;base64,aGk=")},
            "messages[0].content[1].image_url.url: a data URL must be "
            "data:image/<png|jpeg|gif|webp>;base64,<data>",
        ),
        (
            {
                "messages": _with_image(
                    "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode()
                )
            },
            "messages[0].content[1].image_url.url: not a PNG, JPEG, GIF or WebP image",
        ),
        (
            {
                "messages": _with_image(
                    "data:image/png;base64,"
                    + base64.b64encode(PNG + b"\0" * MAX_IMAGE_BYTES).decode()
                )
            },
            f"messages[0].content[1].image_url.url: the image has {len(PNG) + MAX_IMAGE_BYTES} "
            f"bytes, more than the {MAX_IMAGE_BYTES} this server takes",
        ),
        (
            {"messages": _with_image("https://example.com/cat.png")},
            "messages[0].content[1].image_url.url: this server fetches no image URLs from that "
            "host: 'example.com' is not in images.url_hosts; send the image as a data: URL",
        ),
        (
            {"messages": [*USER, {"role": "tool", "content": "22 C"}]},
            "messages[1]: a tool message needs tool_call_id (the call it answers)",
        ),
        (
            {"messages": [*USER, {"role": "tool", "content": "22 C", "tool_call_id": "call_9"}]},
            "messages[1].tool_call_id 'call_9' answers no tool call of an earlier "
            "assistant message",
        ),
        (
            {
                "messages": USER,
                "tools": [WEATHER],
                "tool_choice": {"type": "function", "function": {"name": "get_time"}},
            },
            "tool_choice names function 'get_time', which is not one of tools",
        ),
        (
            {
                "messages": USER,
                "tools": [
                    {"type": "function", "function": {"name": "f", "parameters": {"type": 5}}}
                ],
            },
            "tools[0].function.parameters is not a valid JSON Schema: 5 is not valid under any "
            "of the given schemas",
        ),
        (
            {
                "messages": USER,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "trip",
                        "schema": {"type": "object", "required": "city"},
                    },
                },
            },
            "response_format.json_schema.schema is not a valid JSON Schema: "
            "'city' is not of type 'array'",
        ),
        (
            {"messages": USER, "logprobs": True},
            "logprobs is not supported: log probabilities are not returned by this server",
        ),
        ({"messages": USER, "n": 2}, "2 is greater than the maximum of 1 - 'n'"),
        (
            {"messages": USER, "modalities": ["text", "audio"]},
            'modalities is not supported: only ["text"] answers are produced',
        ),
        (
            {"messages": USER, "frequency_penalty": 0.5},
            "frequency_penalty is not supported by this model's provider (bedrock)",
        ),
        (
            {"model": "echo-plain", "messages": USER, "tools": [WEATHER]},
            "model 'echo-plain' cannot call tools (its capabilities: chat)",
        ),
        (
            {"model": "echo-plain", "messages": _with_image(PNG_URL)},
            "model 'echo-plain' does not take images (its capabilities: chat)",
        ),
    ],
    ids=[
        "malformed-data-url",
        "not-an-image-data-url",
        "bytes-not-the-declared-format",
        "image-too-large",
        "url-from-a-host-not-allowed",
        "tool-message-without-tool-call-id",
        "tool-message-answering-no-call",
        "tool-choice-naming-no-declared-tool",
        "parameters-not-json-schema",
        "response-schema-not-json-schema",
        "logprobs",
        "n-above-1",
        "audio-modality",
        "penalty-over-bedrock",
        "tools-to-a-model-without-tools",
        "image-to-a-model-without-vision",
    ],
)
def test_bad_requests_answer_3_and_reach_no_model(
    client: openai.OpenAI,
    server: LiveServer,
    bedrock: FakeBedrock,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    model = str(kwargs.get("model", "claude"))
    before = requests_counted(server, model)
    assert _refused(client, **kwargs) == message
    assert bedrock.received == []
    assert requests_counted(server, model) == before


def test_an_image_url_that_hangs_is_refused_within_its_time_limit(
    client: openai.OpenAI, images: ImageHost
) -> None:
    message = _refused(client, messages=_with_image(f"{images.root_url}/slow.png"))
    assert message == "messages[0].content[1].image_url.url: the image did not arrive within 1 s"


def test_parameters_that_do_not_change_the_answer_are_accepted(
    client: openai.OpenAI, upstream: FakeOpenAIUpstream
) -> None:
    answer = client.chat.completions.create(
        model="echo",
        messages=cast(
            Any, [{"role": "developer", "content": [{"type": "text", "text": "Be brief."}]}, *USER]
        ),
        user="alice",
        metadata={"team": "a"},
        store=False,
        service_tier="auto",
        seed=7,
        logprobs=False,
        n=1,
        parallel_tool_calls=True,
    )
    assert answer.choices[0].message.content == "Echo: Lisbon"
    # ... and penalties go to an OpenAI-compatible upstream, which honours them.
    client.chat.completions.create(model="gpt-local", messages=USER, frequency_penalty=0.5)
    sent = upstream.chat_requests()[-1].body
    assert sent is not None and sent["frequency_penalty"] == 0.5
