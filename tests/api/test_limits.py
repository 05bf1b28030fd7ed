"""Limits over HTTP: key limits set and updated, refusals (8) that store nothing, the model
allow-list (7), user limits (admins only) and what is left."""

import time
from collections.abc import Iterator

import httpx

from tests.api.resource_client import Api, api, assert_error, new_conversation

__all__ = ["api"]


def limited_user(api: Api, limits: dict[str, object]) -> tuple[str, httpx.Client, dict]:  # type: ignore[type-arg]
    user_id, _ = api.new_user()
    created = api.admin.post("/v1/apiKeys", json={"user": user_id, "limits": limits})
    assert created.status_code == 200, created.text
    return user_id, api.client(created.json()["secret"]), created.json()["apiKey"]


def test_a_refused_turn_answers_8_with_retry_after_and_stores_nothing(api: Api) -> None:
    _, client, key = limited_user(api, {"requestsPerMinute": 1, "tokensPerDay": "100000"})
    assert key["limits"] == {"requestsPerMinute": 1, "tokensPerDay": "100000"}
    cid = new_conversation(client)["id"]
    assert (
        client.post(f"/v1/conversations/{cid}/messages", json={"content": "one"}).status_code == 200
    )
    refused = client.post(f"/v1/conversations/{cid}/messages", json={"content": "two"})
    body = assert_error(refused, 8)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    quota, retry = body["details"]
    assert quota["@type"] == "type.googleapis.com/google.rpc.QuotaFailure"
    assert quota["violations"] == [
        {"subject": f"apiKeys/{key['id']}", "description": "requests_per_minute: 1"}
    ]
    assert retry["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    stream = client.post(f"/v1/conversations/{cid}/messages:stream", json={"content": "three"})
    assert_error(stream, 8)  # refused before its first byte: a plain JSON answer
    messages = client.get(f"/v1/conversations/{cid}/messages").json()["messages"]
    assert [m["content"] for m in messages if m["role"] == "USER"] == ["one"]
    assert client.get("/v1/usage").json()["totalRequests"] == "1"


def test_update_api_key_changes_limits_with_an_etag(api: Api) -> None:
    _, client, key = limited_user(api, {"requestsPerMinute": 1})
    name = f"/v1/apiKeys/{key['id']}"
    stale = client.patch(name, params={"updateMask": "limits"}, json={"limits": {}, "etag": "old"})
    assert_error(stale, 10)
    updated = client.patch(
        name,
        params={"updateMask": "limits.requestsPerMinute"},
        json={"limits": {"requestsPerMinute": 100}, "etag": key["etag"]},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["limits"] == {"requestsPerMinute": 100}
    assert updated.json()["etag"] != key["etag"]
    assert_error(api.other.patch(name, json={"displayName": "x"}), 5)


def test_the_third_concurrent_stream_is_refused_before_any_byte_until_one_ends(api: Api) -> None:
    _, client, _ = limited_user(api, {"concurrentStreams": 2})
    conversations = [new_conversation(client)["id"] for _ in range(3)]
    held: list[tuple[httpx.Response, Iterator[str]]] = []
    # Two streams that stay open: the echo model waits 0.5 s before each of its 41 tokens.
    for cid in conversations[:2]:
        request = client.build_request(
            "POST",
            f"/v1/conversations/{cid}/messages:stream",
            json={"content": "slow " * 40 + "[echo:delay=500]", "maxTokens": 200},
        )
        response = client.send(request, stream=True)
        assert response.status_code == 200
        lines = response.iter_lines()  # kept: dropping it would close the stream
        assert next(lines) == "event: userMessage"  # admitted and running
        held.append((response, lines))
    third = f"/v1/conversations/{conversations[2]}/messages:stream"
    refused = client.post(third, json={"content": "x"})
    assert_error(refused, 8)  # a plain JSON answer: not one byte of a stream
    held[0][0].close()  # the client leaves: the answer is CANCELLED and its slot freed
    admitted = None
    for _ in range(100):  # the server sees the disconnect at its next write (<= 0.5 s)
        again = client.post(third, json={"content": "x"})
        if again.status_code == 200:
            admitted = again
            break
        assert_error(again, 8)
        time.sleep(0.1)
    held[1][0].close()
    assert admitted is not None and "event: assistantMessage" in admitted.text


def test_a_key_allow_list_refuses_other_models_with_7(api: Api) -> None:
    _, client, _ = limited_user(api, {"models": ["echo-other"]})
    answer = client.post(
        "/openai/v1/chat/completions",
        json={"model": "echo", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert_error(answer, 7)


def test_user_limits_are_for_admins_and_effective_limits_say_what_is_left(api: Api) -> None:
    user_id, client, key = limited_user(api, {"requestsPerMinute": 10})
    assert_error(client.get(f"/v1/users/{user_id}/limits"), 7)
    set_ = api.admin.patch(
        f"/v1/users/{user_id}/limits", json={"limits": {"tokensPerMinute": 5000}}
    )
    assert set_.status_code == 200, set_.text
    assert set_.json()["limits"] == {"tokensPerMinute": 5000}
    assert api.admin.get(f"/v1/users/{user_id}/limits").json()["etag"] == set_.json()["etag"]
    answer = client.post(
        "/openai/v1/chat/completions",
        json={"model": "echo", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5},
    )
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-limit-requests"] == "10"
    assert answer.headers["x-ratelimit-remaining-requests"] == "9"
    assert answer.headers["x-ratelimit-limit-tokens"] == "5000"
    mine = client.get("/v1/effectiveLimits").json()
    by_name = {(item["scope"], item["limit"]): item for item in mine["limits"]}
    rpm = by_name[(f"apiKeys/{key['id']}", "requests_per_minute")]
    assert (rpm["value"], rpm["used"], rpm["remaining"]) == (10, 1, 9) and "resetTime" in rpm
    tpm = by_name[(f"users/{user_id}", "tokens_per_minute")]
    assert tpm["used"] == answer.json()["usage"]["total_tokens"]
    assert_error(api.other.get("/v1/effectiveLimits", params={"apiKey": key["id"]}), 5)
    assert api.admin.get("/v1/effectiveLimits", params={"apiKey": key["id"]}).status_code == 200


def test_a_user_capped_at_2_keys_and_2_conversations_gets_8_on_the_third(api: Api) -> None:
    user_id, client = api.new_user()  # one key already
    capped = api.admin.patch(
        f"/v1/users/{user_id}/limits",
        params={"updateMask": "limits.maxApiKeys,limits.maxConversations"},
        json={"limits": {"maxApiKeys": 2, "maxConversations": 2}},
    )
    assert capped.status_code == 200, capped.text
    assert client.post("/v1/apiKeys", json={}).status_code == 200
    assert_error(client.post("/v1/apiKeys", json={}), 8)
    new_conversation(client)
    new_conversation(client)
    assert_error(client.post("/v1/conversations", json={}), 8)
    assert len(client.get("/v1/conversations").json()["conversations"]) == 2


def _utf8(text: str) -> int:
    return len(text.encode())


def _held(client: httpx.Client) -> tuple[int, int]:
    """(used, value) of the caller's max_message_bytes, from its effective limits."""
    mine = client.get("/v1/effectiveLimits")
    assert mine.status_code == 200, mine.text
    (status,) = [item for item in mine.json()["limits"] if item["limit"] == "max_message_bytes"]
    assert "resetTime" not in status and status["remaining"] == status["value"] - status["used"]
    return int(status["used"]), int(status["value"])


def _stored_bytes(client: httpx.Client) -> int:
    """What the user holds, summed from what it reads back: prompts and every message."""
    total = 0
    for conversation in client.get("/v1/conversations").json()["conversations"]:
        total += _utf8(conversation.get("systemPrompt", ""))
        messages = client.get(f"/v1/conversations/{conversation['id']}/messages").json()
        total += sum(_utf8(m.get("content", "")) for m in messages["messages"])
    return total


def _cap_bytes(api: Api, user_id: str, cap: int) -> None:
    capped = api.admin.patch(
        f"/v1/users/{user_id}/limits",
        params={"updateMask": "limits.maxMessageBytes"},
        json={"limits": {"maxMessageBytes": str(cap)}},
    )
    assert capped.status_code == 200, capped.text
    assert capped.json()["limits"]["maxMessageBytes"] == str(cap)


def test_message_bytes_are_counted_in_utf8_across_send_stream_and_delete(api: Api) -> None:
    user_id, client = api.new_user()
    _cap_bytes(api, user_id, 1_000_000)
    first = new_conversation(client, systemPrompt="é" * 10)["id"]  # 20 bytes, 10 characters
    assert _held(client) == (20, 1_000_000)
    sent = client.post(f"/v1/conversations/{first}/messages", json={"content": "€" * 10})
    assert sent.status_code == 200, sent.text
    second = new_conversation(client)["id"]
    streamed = client.post(f"/v1/conversations/{second}/messages:stream", json={"content": "ü"})
    assert streamed.status_code == 200 and "assistantMessage" in streamed.text
    held, _ = _held(client)
    assert held == _stored_bytes(client) and held > 20 + 30 + 2  # the answers count too
    renamed = client.patch(
        f"/v1/conversations/{second}",
        params={"updateMask": "systemPrompt"},
        json={"systemPrompt": "ß" * 5},
    )
    assert renamed.status_code == 200, renamed.text
    assert _held(client)[0] == held + 10 == _stored_bytes(client)
    assert client.delete(f"/v1/conversations/{first}").status_code == 200
    assert _held(client)[0] == _stored_bytes(client) > 0
    assert client.delete(f"/v1/conversations/{second}").status_code == 200
    assert _held(client)[0] == 0


def test_a_user_past_max_message_bytes_gets_8_storing_nothing_until_it_deletes(api: Api) -> None:
    user_id, client = api.new_user()
    cid = new_conversation(client, systemPrompt="p" * 40)["id"]
    assert client.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"}).status_code
    held = _stored_bytes(client)
    _cap_bytes(api, user_id, held + 50)
    assert _held(client) == (held, held + 50)

    too_big = "x" * 51
    for path in (f"/v1/conversations/{cid}/messages", f"/v1/conversations/{cid}/messages:stream"):
        refused = assert_error(client.post(path, json={"content": too_big}), 8)
        assert "max_message_bytes" in refused["message"] and str(held + 50) in refused["message"]
    assert_error(client.post("/v1/conversations", json={"systemPrompt": too_big}), 8)
    grown = client.patch(
        f"/v1/conversations/{cid}",
        params={"updateMask": "systemPrompt"},
        json={"systemPrompt": "p" * 40 + too_big},
    )
    assert_error(grown, 8)
    # Nothing stored: the same thread, the same prompt, no new conversation, nothing charged.
    (only,) = client.get("/v1/conversations").json()["conversations"]
    assert only["id"] == cid and only["systemPrompt"] == "p" * 40
    messages = client.get(f"/v1/conversations/{cid}/messages").json()["messages"]
    assert [m["content"] for m in messages if m["role"] == "USER"] == ["hi"]
    assert _held(client)[0] == held == _stored_bytes(client)
    assert client.get("/v1/usage").json()["totalRequests"] == "1"

    assert client.delete(f"/v1/conversations/{cid}").status_code == 200
    assert _held(client)[0] == 0
    room = new_conversation(client)["id"]
    assert (
        client.post(f"/v1/conversations/{room}/messages", json={"content": too_big}).status_code
        == 200
    )


# -- embeddings: admitted like a generation --------------------------------------------

SIX_WORDS = "one two three four five six"  # estimated 7 tokens (27 characters / 4); echo counts 6


def embed(client: httpx.Client, text: str = SIX_WORDS, model: str = "echo-embed") -> httpx.Response:
    return client.post("/openai/v1/embeddings", json={"model": model, "input": text})


def quota_violations(response: httpx.Response) -> list[dict[str, str]]:
    body = assert_error(response, 8)
    assert 1 <= int(response.headers["Retry-After"])
    quota, retry = body["details"]
    assert quota["@type"] == "type.googleapis.com/google.rpc.QuotaFailure"
    assert retry["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    violations: list[dict[str, str]] = quota["violations"]
    return violations


def test_embeddings_are_admitted_with_rate_headers_and_a_refusal_counts_nothing(
    api: Api,
) -> None:
    _, client, key = limited_user(api, {"requestsPerMinute": 2, "tokensPerMinute": 1000})
    first = embed(client)
    assert first.status_code == 200, first.text
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    assert first.headers["x-ratelimit-limit-tokens"] == "1000"
    assert first.headers["x-ratelimit-remaining-tokens"] == str(1000 - 7)  # the reservation
    assert first.headers["x-ratelimit-reset-requests"].endswith("s")
    assert embed(client).status_code == 200
    refused = embed(client)
    assert quota_violations(refused) == [
        {"subject": f"apiKeys/{key['id']}", "description": "requests_per_minute: 2"}
    ]
    assert refused.headers["x-ratelimit-remaining-requests"] == "0"
    usage = client.get("/v1/usage").json()
    assert (usage["totalRequests"], usage["totalInputTokens"]) == ("2", "12")  # 6 + 6, no third
    mine = client.get("/v1/effectiveLimits", params={"model": "echo-embed"}).json()
    tpm = next(i for i in mine["limits"] if i["limit"] == "tokens_per_minute")
    assert tpm["used"] == 12  # settled with what the model counted, not the estimates


def test_an_embeddings_model_off_the_key_allow_list_answers_7_and_counts_nothing(
    api: Api,
) -> None:
    _, client, _ = limited_user(api, {"models": ["echo"]})
    body = assert_error(embed(client), 7)
    assert "echo-embed" in body["message"]
    assert client.get("/v1/usage").json()["totalRequests"] == "0"


def test_an_embeddings_call_that_would_cross_a_token_budget_is_refused(api: Api) -> None:
    _, client, key = limited_user(api, {"tokensPerDay": "10"})
    assert embed(client).status_code == 200  # 7 reserved, 6 used
    assert quota_violations(embed(client)) == [  # 6 + 7 > 10
        {"subject": f"apiKeys/{key['id']}", "description": "tokens_per_day: 10"}
    ]
    assert embed(client, "four").status_code == 200  # 6 + 1 fits
    usage = client.get("/v1/usage").json()
    assert (usage["totalRequests"], usage["totalInputTokens"]) == ("2", "7")


def test_an_embeddings_call_that_would_cross_a_cost_budget_is_refused(api: Api) -> None:
    # echo-embed costs 1.0 per million input tokens in the test config: 1 token, 1 millionth.
    user_id, client, _ = limited_user(api, {})
    budget = api.admin.patch(
        f"/v1/users/{user_id}/limits",
        params={"updateMask": "limits.costPerDay"},
        json={"limits": {"costPerDay": 0.00001}},
    )
    assert budget.status_code == 200, budget.text
    assert embed(client).status_code == 200  # 7 millionths reserved, 6 spent
    assert quota_violations(embed(client)) == [  # 6 + 7 > 10
        {"subject": f"users/{user_id}", "description": "cost_per_day: 1e-05"}
    ]
    usage = client.get("/v1/usage").json()
    assert usage["totalRequests"] == "1" and usage["totalCost"] == 0.000006
