"""The per-request deadline (`generation_timeout_seconds`) end to end.

A live server allowing 2 s per answer; the echo model is slowed down with its
`[echo:delay=<ms>]` marker (a pause before each token) so the answer cannot
finish in time.
"""

from collections.abc import Iterator

import httpx
import pytest

from errors import Code
from tests.api.resource_client import sse_events
from tests.conftest import LiveServer, admin_client

# 3.5 s of tokens, the first after 0.5 s: the stream has text before its deadline
# on a loaded machine too, and no answer ends in time however fast the machine.
SLOW = "[echo:delay=500] one two three four five six"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(
        tmp_path_factory.mktemp("deadline"), {"PRIVATELLM_GENERATION_TIMEOUT_SECONDS": "2"}
    ) as live:
        yield live


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with admin_client(server) as client:
        yield client


def conversation(api: httpx.Client) -> str:
    return str(api.post("/v1/conversations", json={"model": "echo"}).json()["id"])


def last_message(api: httpx.Client, cid: str) -> dict[str, object]:
    messages: list[dict[str, object]] = api.get(f"/v1/conversations/{cid}/messages").json()[
        "messages"
    ]
    return messages[-1]


def test_a_slow_answer_fails_with_deadline_exceeded(api: httpx.Client) -> None:
    cid = conversation(api)
    response = api.post(f"/v1/conversations/{cid}/messages", json={"content": SLOW})
    assert response.status_code == 504, response.text
    assert response.json()["code"] == Code.DEADLINE_EXCEEDED
    assert "2 s" in response.json()["message"]
    answer = last_message(api, cid)
    assert answer["status"] == "FAILED"
    assert answer["error"] == response.json()
    # The conversation is free again: the next (fast) turn goes through.
    fast = api.post(f"/v1/conversations/{cid}/messages", json={"content": "quick"})
    assert fast.status_code == 200, fast.text


def test_a_slow_stream_ends_with_the_error_event_and_keeps_its_text(api: httpx.Client) -> None:
    cid = conversation(api)
    with api.stream(
        "POST", f"/v1/conversations/{cid}/messages:stream", json={"content": SLOW}
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    names = [name for name, _ in events]
    assert names[0] == "userMessage" and "delta" in names and names[-1] == "error"
    assert events[-1][1]["code"] == Code.DEADLINE_EXCEEDED
    streamed = "".join(data["content"] for name, data in events if name == "delta")
    answer = last_message(api, cid)
    assert (answer["status"], answer["content"]) == ("FAILED", streamed)


def test_the_openai_endpoint_has_the_same_deadline(api: httpx.Client) -> None:
    response = api.post(
        "/openai/v1/chat/completions",
        json={"model": "echo", "messages": [{"role": "user", "content": SLOW}]},
    )
    assert response.status_code == 504, response.text
    assert response.json()["code"] == Code.DEADLINE_EXCEEDED
