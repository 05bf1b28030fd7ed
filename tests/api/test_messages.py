"""MessageService over HTTP: send, stream (SSE), list, get; failures, cancellation, the lock."""

import threading
import time
from typing import Any

import httpx

from tests.api.resource_client import (
    Api,
    api,
    assert_error,
    new_conversation,
    settled_answer,
    sse_events,
)

__all__ = ["api"]


def _messages(client: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/v1/conversations/{conversation_id}/messages", params={"pageSize": 1000}
    )
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def _stream(client: httpx.Client, conversation_id: str, **body: Any) -> list[tuple[str, Any]]:
    with client.stream(
        "POST", f"/v1/conversations/{conversation_id}/messages:stream", json=body
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(sse_events(response.iter_lines()))


def test_send_returns_and_stores_both_messages(api: Api) -> None:
    conversation = new_conversation(api.user)
    cid = conversation["id"]
    response = api.user.post(f"/v1/conversations/{cid}/messages", json={"content": "hello world"})
    assert response.status_code == 200
    user, answer = response.json()["userMessage"], response.json()["assistantMessage"]
    assert (user["role"], user["status"], user["content"]) == ("USER", "COMPLETE", "hello world")
    assert (answer["role"], answer["status"], answer["content"]) == (
        "ASSISTANT",
        "COMPLETE",
        "Echo: hello world",
    )
    assert (answer["finishReason"], answer["model"]) == ("STOP", "echo")
    assert answer["usage"] == {"inputTokens": 2, "outputTokens": 3, "totalTokens": 5}
    assert "error" not in answer
    assert answer["name"] == f"conversations/{cid}/messages/{answer['id']}"
    assert _messages(api.user, cid) == [user, answer]
    got = api.user.get(f"/v1/conversations/{cid}/messages/{answer['id']}")
    assert got.status_code == 200 and got.json() == answer
    assert api.user.get(f"/v1/conversations/{cid}").json()["messageCount"] == 2


def test_generation_parameters(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    path = f"/v1/conversations/{cid}/messages"
    short = api.user.post(path, json={"content": "one two three", "maxTokens": 2}).json()
    assert short["assistantMessage"]["content"] == "Echo: one "
    assert short["assistantMessage"]["finishReason"] == "LENGTH"
    stopped = api.user.post(path, json={"content": "one two three", "stop": ["two"]}).json()
    assert stopped["assistantMessage"]["content"] == "Echo: one "
    assert stopped["assistantMessage"]["finishReason"] == "STOP_SEQUENCE"
    other = api.user.post(path, json={"content": "x", "model": "nope"})
    assert_error(other, 3)


def test_provider_failure_answers_its_code_and_is_stored_failed(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    response = api.user.post(
        f"/v1/conversations/{cid}/messages", json={"content": "hi [echo:fail=14]"}
    )
    assert_error(response, 14)
    user, answer = _messages(api.user, cid)
    assert user["status"] == "COMPLETE" and user["content"] == "hi [echo:fail=14]"
    assert answer["status"] == "FAILED" and answer["error"]["code"] == 14
    assert answer["error"]["message"]


def test_message_too_long_for_the_model_is_out_of_range(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    model = api.user.get("/v1/models/echo").json()
    path = f"/v1/conversations/{cid}/messages"
    too_many = api.user.post(path, json={"content": "x", "maxTokens": model["maxOutputTokens"] + 1})
    assert_error(too_many, 11)
    words = min(model["contextWindow"] + 10, 49_000)
    if words > model["contextWindow"]:
        assert_error(api.user.post(path, json={"content": "w " * words}), 11)
    assert _messages(api.user, cid) == []


def test_other_users_conversation_messages_are_not_found(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    sent = api.user.post(f"/v1/conversations/{cid}/messages", json={"content": "secret"}).json()
    message_id = sent["userMessage"]["id"]
    assert_error(api.other.post(f"/v1/conversations/{cid}/messages", json={"content": "x"}), 5)
    assert_error(api.other.get(f"/v1/conversations/{cid}/messages"), 5)
    assert_error(api.other.get(f"/v1/conversations/{cid}/messages/{message_id}"), 5)
    with api.other.stream(
        "POST", f"/v1/conversations/{cid}/messages:stream", json={"content": "x"}
    ) as response:
        response.read()
        assert_error(response, 5)
    assert_error(api.user.get(f"/v1/conversations/{cid}/messages/mnope"), 5)


def test_stream_events_then_the_stored_answer(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    events = _stream(api.user, cid, content="one two three")
    names = [name for name, _ in events]
    assert names[0] == "userMessage" and names[-1] == "assistantMessage"
    assert set(names[1:-1]) == {"delta"} and len(names) == 6
    final = events[-1][1]
    assert "".join(data["content"] for name, data in events if name == "delta") == final["content"]
    assert (final["status"], final["content"], final["finishReason"]) == (
        "COMPLETE",
        "Echo: one two three",
        "STOP",
    )
    assert final["usage"]["outputTokens"] == 4
    assert _messages(api.user, cid) == [events[0][1], final]


def test_stream_data_lines_survive_unicode_line_separators(api: Api) -> None:
    # U+2028/U+2029/U+0085 are not SSE line ends, but httpx's iter_lines (and
    # other str.splitlines readers) split on them: they are sent JSON-escaped.
    cid = new_conversation(api.user)["id"]
    text = "one\u2028two\u2029three\x85four"
    events = _stream(api.user, cid, content=text)
    assert events[-1][0] == "assistantMessage"
    assert events[-1][1]["content"] == "Echo: " + text


def test_stream_failure_midway_ends_with_an_error_event(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    events = _stream(api.user, cid, content="a b c [echo:fail-after=2]")
    assert [name for name, _ in events] == ["userMessage", "delta", "delta", "error"]
    error = events[-1][1]
    assert error["code"] == 14 and error["message"]
    answer = _messages(api.user, cid)[1]
    assert (answer["status"], answer["content"], answer["error"]["code"]) == (
        "FAILED",
        "Echo: a ",
        14,
    )


def test_client_disconnect_keeps_the_partial_answer_cancelled(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    words = " ".join(f"w{i}" for i in range(30))  # 3 s of answer at 100 ms a token
    received: list[str] = []
    with api.user.stream(
        "POST",
        f"/v1/conversations/{cid}/messages:stream",
        json={"content": f"{words} [echo:delay=100]"},
    ) as response:
        assert response.status_code == 200
        for name, data in sse_events(response.iter_lines()):
            if name == "delta":
                received.append(data["content"])
            if len(received) == 3:
                break  # leaving the block closes the connection mid-stream
    answer = settled_answer(api.user, cid)
    assert answer["status"] == "CANCELLED"
    assert answer["content"].startswith("".join(received))
    assert len(answer["content"]) < len("Echo: " + words)
    # The lock is released: the conversation takes a new message at once.
    again = api.user.post(f"/v1/conversations/{cid}/messages", json={"content": "again"})
    assert again.status_code == 200


def test_second_send_while_generating_fails_precondition(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    path = f"/v1/conversations/{cid}/messages"
    first: list[httpx.Response] = []
    slow = threading.Thread(
        target=lambda: first.append(
            api.client_for(api.user).post(path, json={"content": "a b c d e f [echo:delay=300]"})
        )
    )
    slow.start()
    try:
        for _ in range(100):
            messages = _messages(api.user, cid)
            if messages and messages[-1]["status"] == "IN_PROGRESS":
                break
            time.sleep(0.02)
        assert_error(api.user.post(path, json={"content": "me too"}), 9)
        with api.user.stream("POST", path + ":stream", json={"content": "me too"}) as response:
            response.read()
            assert_error(response, 9)
    finally:
        slow.join(timeout=20)
    assert first and first[0].status_code == 200
    assert [m["role"] for m in _messages(api.user, cid)] == ["USER", "ASSISTANT"]


def test_message_pages_and_tampered_token(api: Api) -> None:
    cid = new_conversation(api.user)["id"]
    for i in range(3):
        api.user.post(f"/v1/conversations/{cid}/messages", json={"content": f"m{i}"})
    path = f"/v1/conversations/{cid}/messages"
    first = api.user.get(path, params={"pageSize": 4}).json()
    api.user.post(path, json={"content": "late"})  # appended: later pages still line up
    rest = api.user.get(path, params={"pageSize": 10, "pageToken": first["nextPageToken"]}).json()
    contents = [m["content"] for m in first["messages"] + rest["messages"]]
    assert contents == ["m0", "Echo: m0", "m1", "Echo: m1", "m2", "Echo: m2", "late", "Echo: late"]
    assert rest["nextPageToken"] == ""
    token = first["nextPageToken"]
    tampered = token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:]
    assert_error(api.user.get(path, params={"pageToken": tampered}), 3)
    other_cid = new_conversation(api.user)["id"]
    foreign = api.user.get(f"/v1/conversations/{other_cid}/messages", params={"pageToken": token})
    assert_error(foreign, 3)
