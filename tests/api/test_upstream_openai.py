"""Conversations end to end through the OpenAI-compatible provider.

Live server → our provider (httpx) → a fake upstream speaking the real wire protocol.

The server is configured only through environment overrides (PRIVATELLM_*),
as an operator would: a provider `upstream` of type openai and a model on it.
"""

import json
from collections.abc import Iterator

import httpx
import pytest

from errors import Code
from tests.api.resource_client import leave_after_first_text, settled_answer, sse_events
from tests.conftest import ADMIN_SECRET, LiveServer, admin_client
from tests.fakes.openai_upstream import FakeOpenAIUpstream, Reply, context_too_long, error

MODELS = [
    {"id": "echo", "provider": "echo", "context_window": 4096, "max_output_tokens": 1024},
    {
        "id": "local-llama",
        "provider": "upstream",
        "upstream_model_id": "llama3:8b",
        "context_window": 8192,
        "max_output_tokens": 512,
    },
]


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeOpenAIUpstream]:
    with FakeOpenAIUpstream() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(
    upstream: FakeOpenAIUpstream, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with LiveServer(
        tmp_path_factory.mktemp("upstream"),
        {
            "PRIVATELLM_PROVIDERS__UPSTREAM__TYPE": "openai",
            "PRIVATELLM_PROVIDERS__UPSTREAM__BASE_URL": upstream.base_url,
            "PRIVATELLM_PROVIDERS__UPSTREAM__MAX_ATTEMPTS": "1",
            "PRIVATELLM_PROVIDERS__UPSTREAM__TIMEOUT_SECONDS": "5",
            "PRIVATELLM_MODELS": json.dumps(MODELS),
        },
    ) as live:
        yield live


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with admin_client(server) as client:
        yield client


def new_conversation(api: httpx.Client) -> str:
    response = api.post(
        "/v1/conversations", json={"model": "local-llama", "systemPrompt": "Be kind."}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def test_catalog_shows_the_upstream_model_available(api: httpx.Client) -> None:
    model = api.get("/v1/models/local-llama").json()
    assert model["available"] is True
    assert model["provider"] == "OPENAI"
    assert model["upstreamModelId"] == "llama3:8b"


def test_send_goes_upstream_and_stores_the_answer(
    api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    conversation = new_conversation(api)
    upstream.script(Reply(text="Hello from llama", usage=(21, 4)))
    response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi!"})
    assert response.status_code == 200, response.text
    answer = response.json()["assistantMessage"]
    assert answer["content"] == "Hello from llama"
    assert answer["status"] == "COMPLETE"
    assert answer["usage"] == {"inputTokens": 21, "outputTokens": 4, "totalTokens": 25}
    sent = upstream.chat_requests()[-1].body
    assert sent is not None
    assert sent["model"] == "llama3:8b"
    assert sent["messages"][0] == {"role": "system", "content": "Be kind."}
    assert sent["messages"][-1] == {"role": "user", "content": "Hi!"}


def test_stream_goes_upstream(api: httpx.Client, upstream: FakeOpenAIUpstream) -> None:
    conversation = new_conversation(api)
    upstream.script(Reply(text="one two three", usage=(5, 3)))
    with api.stream(
        "POST", f"/v1/conversations/{conversation}/messages:stream", json={"content": "count"}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    names = [name for name, _ in events]
    assert names[0] == "userMessage" and names[-1] == "assistantMessage"
    assert names.count("delta") >= 1
    # The upstream's words and usage arrive whole, and stored as such.
    final = events[-1][1]
    assert "".join(data["content"] for name, data in events if name == "delta") == "one two three"
    assert (final["content"], final["status"]) == ("one two three", "COMPLETE")
    assert final["usage"] == {"inputTokens": 5, "outputTokens": 3, "totalTokens": 8}


def test_u0000_and_a_lone_surrogate_from_upstream_arrive_and_are_stored_as_ufffd(
    server: LiveServer, api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    conversation = new_conversation(api)
    upstream.script(Reply(text="nul\x00inside broken\ud83d tail"), Reply(text="door\x00 \ud83d"))
    with api.stream(
        "POST", f"/v1/conversations/{conversation}/messages:stream", json={"content": "go"}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    expected = "nul\ufffdinside broken\ufffd tail"
    assert "".join(data["content"] for name, data in events if name == "delta") == expected
    name, final = events[-1]
    assert (name, final["status"], final["content"]) == ("assistantMessage", "COMPLETE", expected)
    stored = api.get(f"/v1/{final['name']}").json()
    assert (stored["status"], stored["content"]) == ("COMPLETE", expected)
    # The OpenAI-compatible endpoint stores nothing, but sends the same characters.
    door = httpx.post(
        f"{server.url}/openai/v1/chat/completions",
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        json={"model": "local-llama", "messages": [{"role": "user", "content": "hey"}]},
        timeout=15,
    )
    assert door.status_code == 200, door.text
    assert door.json()["choices"][0]["message"]["content"] == "door\ufffd \ufffd"


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(error(500), Code.UNAVAILABLE, id="upstream-500"),
        pytest.param(context_too_long(), Code.OUT_OF_RANGE, id="context-too-long"),
        pytest.param(error(401), Code.FAILED_PRECONDITION, id="upstream-rejects-credentials"),
    ],
)
def test_upstream_failure_answers_the_code_and_stores_failed(
    api: httpx.Client, upstream: FakeOpenAIUpstream, reply: Reply, code: Code
) -> None:
    conversation = new_conversation(api)
    upstream.script(reply)
    response = api.post(f"/v1/conversations/{conversation}/messages", json={"content": "Hi"})
    assert response.json()["code"] == code, response.text
    messages = api.get(f"/v1/conversations/{conversation}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["USER", "ASSISTANT"]
    assert messages[0]["status"] == "COMPLETE"  # the user's message is never lost
    assert messages[1]["status"] == "FAILED"
    assert messages[1]["error"]["code"] == code


def test_openai_front_door_routes_to_the_upstream(
    server: LiveServer, upstream: FakeOpenAIUpstream
) -> None:
    upstream.script(Reply(text="front door", usage=(2, 2)))
    response = httpx.post(
        f"{server.url}/openai/v1/chat/completions",
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        json={"model": "local-llama", "messages": [{"role": "user", "content": "hey"}]},
        timeout=15,
    )
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "front door"


@pytest.mark.parametrize("front_door", [False, True], ids=["conversation", "openai-endpoint"])
def test_a_client_that_hangs_up_stops_the_upstream(
    server: LiveServer, api: httpx.Client, upstream: FakeOpenAIUpstream, front_door: bool
) -> None:
    upstream.disconnected.clear()
    # Forty words a quarter second apart: ten seconds of generation if nobody stops it.
    upstream.script(Reply(text=" ".join(["word"] * 40), chunk_delay=0.25))
    if front_door:
        path = "/openai/v1/chat/completions"
        body: dict[str, object] = {
            "model": "local-llama",
            "stream": True,
            "messages": [{"role": "user", "content": "talk"}],
        }
        marker = '"content":"word'
    else:
        conversation = new_conversation(api)
        path = f"/v1/conversations/{conversation}/messages:stream"
        body = {"content": "talk"}
        marker = "event: delta"
    leave_after_first_text(server, path, body, marker)
    # The server closes its upstream call: the fake sees the connection drop
    # long before the forty words are out.
    assert upstream.disconnected.wait(timeout=5), "the upstream kept generating"
    if not front_door:
        answer = settled_answer(api, conversation)
        assert answer["status"] == "CANCELLED" and answer["content"].startswith("word")
