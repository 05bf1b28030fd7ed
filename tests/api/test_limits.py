"""Limits over HTTP: key limits set and updated, refusals (8) that store nothing, the model
allow-list (7), user limits (admins only) and what is left."""

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
