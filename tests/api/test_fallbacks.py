"""Per-model fallbacks end to end: a live server whose model `llama` (a fake
OpenAI-compatible upstream) falls back to `echo` when the upstream is UNAVAILABLE.

Configured only through PRIVATELLM_* overrides, as an operator would.
"""

import json
from collections.abc import Iterator

import httpx
import pytest

from errors import Code
from tests.api.resource_client import sse_events
from tests.conftest import LiveServer, admin_client
from tests.fakes.openai_upstream import (
    FakeOpenAIUpstream,
    Reply,
    context_too_long,
    error,
    insufficient_quota,
)

MODELS = [
    {"id": "echo", "provider": "echo", "context_window": 4096, "max_output_tokens": 1024},
    {
        "id": "llama",
        "provider": "upstream",
        "upstream_model_id": "llama3:8b",
        "context_window": 8192,
        "max_output_tokens": 2048,
        "fallbacks": ["echo"],
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
        tmp_path_factory.mktemp("fallbacks"),
        {
            "PRIVATELLM_PROVIDERS__UPSTREAM__TYPE": "openai",
            "PRIVATELLM_PROVIDERS__UPSTREAM__BASE_URL": upstream.base_url,
            "PRIVATELLM_PROVIDERS__UPSTREAM__MAX_ATTEMPTS": "1",
            "PRIVATELLM_MODELS": json.dumps(MODELS),
        },
    ) as live:
        yield live


@pytest.fixture
def api(server: LiveServer, upstream: FakeOpenAIUpstream) -> Iterator[httpx.Client]:
    upstream.replies.clear()
    with admin_client(server) as client:
        yield client


def conversation(api: httpx.Client) -> str:
    response = api.post("/v1/conversations", json={"model": "llama"})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def test_upstream_down_falls_back_and_names_the_model_that_answered(
    api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    cid = conversation(api)
    before = int(api.get("/v1/usage", params={"model": "echo"}).json()["totalRequests"])
    upstream.script(error(503))
    response = api.post(f"/v1/conversations/{cid}/messages", json={"content": "hello"})
    assert response.status_code == 200, response.text
    answer = response.json()["assistantMessage"]
    assert (answer["status"], answer["model"], answer["content"]) == (
        "COMPLETE",
        "echo",
        "Echo: hello",
    )
    assert len(upstream.chat_requests()) == 1  # llama was asked first
    stored = api.get(f"/v1/conversations/{cid}/messages").json()["messages"][-1]
    assert stored["model"] == "echo"
    # The tokens are charged to the model that did the work.
    after = int(api.get("/v1/usage", params={"model": "echo"}).json()["totalRequests"])
    assert after == before + 1


def test_an_exhausted_upstream_quota_falls_back_too(
    api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    cid = conversation(api)
    upstream.script(insufficient_quota())  # 429 insufficient_quota: code 8, not retried
    response = api.post(f"/v1/conversations/{cid}/messages", json={"content": "quota"})
    assert response.status_code == 200, response.text
    assert response.json()["assistantMessage"]["model"] == "echo"


def test_a_healthy_upstream_answers_itself(api: httpx.Client, upstream: FakeOpenAIUpstream) -> None:
    cid = conversation(api)
    upstream.script(Reply(text="from llama"))
    answer = api.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"}).json()
    assert (answer["assistantMessage"]["model"], answer["assistantMessage"]["content"]) == (
        "llama",
        "from llama",
    )


def test_errors_other_than_unavailable_do_not_fall_back(
    api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    cid = conversation(api)
    upstream.script(context_too_long())
    response = api.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"})
    assert response.json()["code"] == Code.OUT_OF_RANGE, response.text
    answer = api.get(f"/v1/conversations/{cid}/messages").json()["messages"][-1]
    assert (answer["status"], answer["model"]) == ("FAILED", "llama")


def test_stream_falls_back_before_any_text(api: httpx.Client, upstream: FakeOpenAIUpstream) -> None:
    cid = conversation(api)
    upstream.script(error(500))
    with api.stream(
        "POST", f"/v1/conversations/{cid}/messages:stream", json={"content": "one two"}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    assert [name for name, _ in events][-1] == "assistantMessage"
    final = events[-1][1]
    assert (final["model"], final["content"]) == ("echo", "Echo: one two")


def test_stream_cut_after_text_is_not_replayed_elsewhere(
    api: httpx.Client, upstream: FakeOpenAIUpstream
) -> None:
    cid = conversation(api)
    upstream.script(Reply(text="alpha beta gamma", cut_after=1))
    with api.stream(
        "POST", f"/v1/conversations/{cid}/messages:stream", json={"content": "x"}
    ) as response:
        events = list(sse_events(response.iter_lines()))
    assert events[-1][0] == "error" and events[-1][1]["code"] == Code.UNAVAILABLE
    answer = api.get(f"/v1/conversations/{cid}/messages").json()["messages"][-1]
    assert (answer["status"], answer["model"], answer["content"]) == ("FAILED", "llama", "alpha ")


def test_openai_front_door_falls_back_too(api: httpx.Client, upstream: FakeOpenAIUpstream) -> None:
    upstream.script(error(502))
    response = api.post(
        "/openai/v1/chat/completions",
        json={"model": "llama", "messages": [{"role": "user", "content": "hey"}]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "echo"
    assert body["choices"][0]["message"]["content"] == "Echo: hey"
