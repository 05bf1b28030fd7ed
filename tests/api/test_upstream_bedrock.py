"""Conversations end to end through the Bedrock provider.

Live server → our provider (the real boto3 client) → a fake speaking Bedrock
Runtime's wire protocol (JSON, the binary event stream, AWS error shapes).

The server is configured only through the environment, as an operator would:
`PRIVATELLM_*` overrides add a provider `bedrock` whose `endpoint_url` is the
fake, and the standard AWS variables give it (fake) credentials and a region.
"""

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from errors import Code, http_status
from tests.api.resource_client import leave_after_first_text, settled_answer, sse_events
from tests.conftest import ADMIN_SECRET, LiveServer, admin_client, free_port
from tests.fakes.bedrock import (
    FakeBedrock,
    Turn,
    access_denied,
    daily_tokens_exhausted,
    model_not_ready,
    model_timeout,
    prompt_too_long,
    quota_exceeded,
    service_unavailable,
    throttling,
    validation,
)

UPSTREAM_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MODELS = [
    {"id": "echo", "provider": "echo", "context_window": 4096, "max_output_tokens": 1024},
    {
        "id": "claude",
        "provider": "bedrock",
        "upstream_model_id": UPSTREAM_ID,
        "context_window": 200000,
        "max_output_tokens": 4096,
    },
    {  # the same model with a short read timeout (a per-model option)
        "id": "claude-impatient",
        "provider": "bedrock",
        "upstream_model_id": UPSTREAM_ID,
        "context_window": 200000,
        "max_output_tokens": 4096,
        "options": {"timeout_seconds": 0.5},
    },
    {  # an endpoint where nothing listens
        "id": "claude-unreachable",
        "provider": "bedrock",
        "upstream_model_id": UPSTREAM_ID,
        "context_window": 200000,
        "max_output_tokens": 4096,
        "options": {"endpoint_url": f"http://127.0.0.1:{free_port()}"},
    },
]
MAX_ATTEMPTS = 2


@pytest.fixture(scope="module")
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(bedrock: FakeBedrock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(
        tmp_path_factory.mktemp("bedrock"),
        {
            "AWS_ACCESS_KEY_ID": "AKIDLIVESERVER",
            "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
            "AWS_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PRIVATELLM_PROVIDERS__BEDROCK__TYPE": "bedrock",
            "PRIVATELLM_PROVIDERS__BEDROCK__ENDPOINT_URL": bedrock.url,
            "PRIVATELLM_PROVIDERS__BEDROCK__MAX_ATTEMPTS": str(MAX_ATTEMPTS),
            "PRIVATELLM_PROVIDERS__BEDROCK__RETRY_BASE_SECONDS": "0.01",
            "PRIVATELLM_PROVIDERS__BEDROCK__RETRY_MAX_SECONDS": "0.02",
            "PRIVATELLM_PROVIDERS__BEDROCK__TIMEOUT_SECONDS": "5",
            "PRIVATELLM_MODELS": json.dumps(MODELS),
        },
    ) as live:
        yield live


@pytest.fixture
def api(server: LiveServer, bedrock: FakeBedrock) -> Iterator[httpx.Client]:
    bedrock.reset()
    with admin_client(server) as client:
        yield client


def new_conversation(api: httpx.Client, model: str = "claude") -> str:
    response = api.post("/v1/conversations", json={"model": model, "systemPrompt": "Be kind."})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def stored(api: httpx.Client, conversation: str) -> list[dict[str, Any]]:
    response = api.get(f"/v1/conversations/{conversation}/messages")
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_catalog_shows_the_bedrock_model_available(api: httpx.Client) -> None:
    model = api.get("/v1/models/claude").json()
    assert model["available"] is True
    assert model["provider"] == "BEDROCK"
    assert model["upstreamModelId"] == UPSTREAM_ID


def test_send_goes_to_bedrock_and_stores_the_answer(
    api: httpx.Client, bedrock: FakeBedrock
) -> None:
    conversation = new_conversation(api)
    bedrock.script(Turn(text="Hello from Claude", input_tokens=21, output_tokens=4))
    response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi!"})
    assert response.status_code == 200, response.text
    answer = response.json()["assistantMessage"]
    assert (answer["content"], answer["status"], answer["finishReason"]) == (
        "Hello from Claude",
        "COMPLETE",
        "STOP",
    )
    assert answer["usage"] == {"inputTokens": 21, "outputTokens": 4, "totalTokens": 25}
    [sent] = bedrock.received
    assert (sent.operation, sent.model_id) == ("converse", UPSTREAM_ID)
    assert sent.body["system"] == [{"text": "Be kind."}]
    assert sent.body["messages"][-1] == {"role": "user", "content": [{"text": "Hi!"}]}
    assert "Credential=AKIDLIVESERVER/" in sent.headers["Authorization"]
    assert "/eu-west-1/bedrock/" in sent.headers["Authorization"]

    # The next turn carries the history.
    bedrock.script(Turn(text="Still here", stop_reason="max_tokens"))
    again = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "More"})
    assert again.json()["assistantMessage"]["finishReason"] == "LENGTH"
    assert bedrock.received[-1].body["messages"] == [
        {"role": "user", "content": [{"text": "Hi!"}]},
        {"role": "assistant", "content": [{"text": "Hello from Claude"}]},
        {"role": "user", "content": [{"text": "More"}]},
    ]


def test_stream_goes_to_bedrock(api: httpx.Client, bedrock: FakeBedrock) -> None:
    conversation = new_conversation(api)
    bedrock.script(Turn(text="one two three", input_tokens=5, output_tokens=3))
    with api.stream(
        "POST", f"/v1/conversations/{conversation}/messages:stream", json={"content": "count"}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    names = [name for name, _ in events]
    assert names == ["userMessage", "delta", "delta", "delta", "assistantMessage"]
    final = events[-1][1]
    assert (final["content"], final["status"]) == ("one two three", "COMPLETE")
    assert final["usage"]["totalTokens"] == 8
    assert [r.operation for r in bedrock.received] == ["converse-stream"]


@pytest.mark.parametrize(
    ("turns", "code"),
    [
        pytest.param([throttling()] * MAX_ATTEMPTS, Code.UNAVAILABLE, id="throttled"),
        pytest.param([quota_exceeded()], Code.RESOURCE_EXHAUSTED, id="quota-exceeded"),
        pytest.param([daily_tokens_exhausted()], Code.RESOURCE_EXHAUSTED, id="tokens-per-day"),
        pytest.param([model_timeout()], Code.DEADLINE_EXCEEDED, id="model-timeout"),
        pytest.param([validation()], Code.INVALID_ARGUMENT, id="validation"),
        pytest.param([prompt_too_long()], Code.OUT_OF_RANGE, id="prompt-too-long"),
        pytest.param([access_denied()], Code.FAILED_PRECONDITION, id="access-denied"),
        pytest.param(
            [service_unavailable()] * MAX_ATTEMPTS, Code.UNAVAILABLE, id="service-unavailable"
        ),
        pytest.param([model_not_ready()] * MAX_ATTEMPTS, Code.UNAVAILABLE, id="model-not-ready"),
    ],
)
def test_bedrock_failure_answers_the_code_and_stores_failed(
    api: httpx.Client, bedrock: FakeBedrock, turns: list[Turn], code: Code
) -> None:
    conversation = new_conversation(api)
    bedrock.script(*turns)
    response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi"})
    assert response.status_code == http_status(code), response.text
    assert response.json()["code"] == code
    assert len(bedrock.received) == len(turns)  # retried exactly when the kind is retryable
    messages = stored(api, conversation)
    assert [m["role"] for m in messages] == ["USER", "ASSISTANT"]
    assert messages[0]["status"] == "COMPLETE"  # the user's message is never lost
    assert messages[1]["status"] == "FAILED"
    assert messages[1]["error"]["code"] == code


@pytest.mark.parametrize(
    ("model", "turn", "code"),
    [
        pytest.param("claude-impatient", Turn(delay=3), Code.DEADLINE_EXCEEDED, id="read-timeout"),
        pytest.param("claude-unreachable", None, Code.UNAVAILABLE, id="connection-refused"),
    ],
)
def test_transport_failures_answer_the_code_and_store_failed(
    api: httpx.Client, bedrock: FakeBedrock, model: str, turn: Turn | None, code: Code
) -> None:
    conversation = new_conversation(api, model)
    if turn is not None:
        bedrock.script(turn)
    response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi"})
    assert response.status_code == http_status(code), response.text
    assert response.json()["code"] == code
    messages = stored(api, conversation)
    assert [m["status"] for m in messages] == ["COMPLETE", "FAILED"]
    assert messages[1]["error"]["code"] == code


def test_stream_failing_midway_ends_with_an_error_event(
    api: httpx.Client, bedrock: FakeBedrock
) -> None:
    conversation = new_conversation(api)
    bedrock.script(Turn(text="a b c d", stream_error_after=2, stream_error=throttling().error))
    with api.stream(
        "POST", f"/v1/conversations/{conversation}/messages:stream", json={"content": "go"}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    assert [name for name, _ in events] == ["userMessage", "delta", "delta", "error"]
    assert events[-1][1]["code"] == Code.UNAVAILABLE
    assert len(bedrock.received) == 1  # text was sent: not replayed
    user, answer = stored(api, conversation)
    assert user["status"] == "COMPLETE"
    assert (answer["status"], answer["content"], answer["error"]["code"]) == (
        "FAILED",
        "a b ",
        Code.UNAVAILABLE,
    )


def test_openai_front_door_routes_to_bedrock(server: LiveServer, bedrock: FakeBedrock) -> None:
    bedrock.reset()
    bedrock.script(Turn(text="front door", input_tokens=2, output_tokens=2))
    response = httpx.post(
        f"{server.url}/openai/v1/chat/completions",
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        json={
            "model": "claude",
            "messages": [
                {"role": "system", "content": "Answer in two words."},
                {"role": "user", "content": "hey"},
            ],
        },
        timeout=15,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "front door"
    assert body["usage"]["prompt_tokens"] == 2
    [sent] = bedrock.received
    assert sent.body["system"] == [{"text": "Answer in two words."}]
    assert sent.body["messages"] == [{"role": "user", "content": [{"text": "hey"}]}]


def test_openai_front_door_streams_from_bedrock(server: LiveServer, bedrock: FakeBedrock) -> None:
    bedrock.reset()
    bedrock.script(Turn(text="streamed through", stop_reason="stop_sequence"))
    with httpx.stream(
        "POST",
        f"{server.url}/openai/v1/chat/completions",
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        json={"model": "claude", "messages": [{"role": "user", "content": "hey"}], "stream": True},
        timeout=15,
    ) as response:
        assert response.status_code == 200
        data = [
            line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")
        ]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "streamed through"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert [r.operation for r in bedrock.received] == ["converse-stream"]


@pytest.mark.parametrize("front_door", [False, True], ids=["conversation", "openai-endpoint"])
def test_a_client_that_hangs_up_stops_bedrock(
    server: LiveServer, api: httpx.Client, bedrock: FakeBedrock, front_door: bool
) -> None:
    # Forty words a quarter second apart: ten seconds of generation if nobody stops it.
    bedrock.script(Turn(text=" ".join(["word"] * 40), chunk_delay=0.25))
    if front_door:
        path = "/openai/v1/chat/completions"
        body: dict[str, Any] = {
            "model": "claude",
            "stream": True,
            "messages": [{"role": "user", "content": "talk"}],
        }
    else:
        conversation = new_conversation(api)
        path = f"/v1/conversations/{conversation}/messages:stream"
        body = {"content": "talk"}
    leave_after_first_text(server, path, body, marker="word")
    # The server closes its Bedrock stream: the fake sees the connection drop
    # long before the forty words are out.
    assert bedrock.disconnected.wait(timeout=5), "Bedrock kept generating"
    if not front_door:
        answer = settled_answer(api, conversation)
        assert answer["status"] == "CANCELLED"
        assert answer["content"].startswith("word")


def test_readiness_reports_the_background_check_without_calling_bedrock(
    server: LiveServer, bedrock: FakeBedrock
) -> None:
    # The server checks Bedrock in the background (a signed listing); /readyz reports that.
    check = ready_check(server, "provider:bedrock")
    assert check["ok"] is True, check
    assert not check["message"].startswith("skipped"), check  # it was really checked
    bedrock.reset()
    for _ in range(3):
        assert httpx.get(f"{server.url}/readyz", timeout=15).status_code == 200
    # Probes cost no upstream call: neither a listing nor a model invocation.
    assert (bedrock.listings, bedrock.received) == (0, [])


def ready_check(server: LiveServer, name: str) -> dict[str, Any]:
    """`name`'s entry in /readyz once the first background round has reported it."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        body = httpx.get(f"{server.url}/readyz", timeout=15).json()
        checks: dict[str, dict[str, Any]] = {c["name"]: c for c in body["checks"]}
        if checks[name]["message"] != "not checked yet":
            return checks[name]
        time.sleep(0.05)
    raise AssertionError(f"{name} was never checked")


def test_without_credentials_the_model_says_how_to_configure_them(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workdir = tmp_path_factory.mktemp("no-credentials")
    nowhere = str(workdir / "no-such-aws-file")
    no_credentials = {
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
        "AWS_CONFIG_FILE": nowhere,
        "AWS_SHARED_CREDENTIALS_FILE": nowhere,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": "eu-west-1",
        "PRIVATELLM_PROVIDERS__BEDROCK__TYPE": "bedrock",
        "PRIVATELLM_MODELS": json.dumps(MODELS[:2]),
    }
    with LiveServer(workdir, no_credentials) as live, admin_client(live) as api:
        model = api.get("/v1/models/claude").json()
        assert model["available"] is False
        assert "AWS_PROFILE" in model["unavailableReason"]
        conversation = new_conversation(api)
        response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi"})
        assert response.status_code == 400, response.text
        assert response.json()["code"] == Code.FAILED_PRECONDITION
        assert "AWS_PROFILE" in response.json()["message"]
        # Refused before anything was stored or locked: the conversation is as it was.
        assert stored(api, conversation) == []
        assert api.get("/readyz").status_code == 200  # not configured is not "not ready"
