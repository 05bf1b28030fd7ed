"""UsageService over HTTP: per day, user and model; other users' usage needs an admin."""

from datetime import UTC, datetime

from tests.api.resource_client import Api, api, assert_error, new_conversation

__all__ = ["api"]


def test_usage_counts_generations_failed_included(api: Api) -> None:
    user_id, client = api.new_user()
    cid = new_conversation(client)["id"]
    client.post(f"/v1/conversations/{cid}/messages", json={"content": "hello world"})
    client.post(f"/v1/conversations/{cid}/messages", json={"content": "x [echo:fail=14]"})
    today = datetime.now(UTC).date().isoformat()
    report = client.get("/v1/usage")
    assert report.status_code == 200
    body = report.json()
    assert body["endDate"] == today and body["startDate"] < today
    assert body["rows"] == [
        {
            "date": today,
            "user": user_id,
            "model": "echo",
            # 64-bit counts travel as JSON strings (proto3 JSON).
            "requests": "2",
            "inputTokens": "2",
            "outputTokens": "3",
            # config/test.yaml prices echo at 1 per million input tokens, 2 per million output.
            "cost": 0.000008,
        }
    ]
    totals = ("totalRequests", "totalInputTokens", "totalOutputTokens", "totalCost", "currency")
    assert tuple(body[name] for name in totals) == ("2", "2", "3", 0.000008, "USD")
    only = client.get("/v1/usage", params={"model": "other", "startDate": today}).json()
    assert only["rows"] == [] and only["totalRequests"] == "0"


def test_other_users_usage_needs_an_admin(api: Api) -> None:
    user_id, client = api.new_user()
    cid = new_conversation(client)["id"]
    client.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"})
    assert_error(api.other.get("/v1/usage", params={"user": user_id}), 7)
    assert_error(api.other.get("/v1/usage", params={"user": "*"}), 7)
    theirs = api.admin.get("/v1/usage", params={"user": user_id}).json()
    assert [r["user"] for r in theirs["rows"]] == [user_id]
    everyone = api.admin.get("/v1/usage", params={"user": "*"}).json()
    assert user_id in {r["user"] for r in everyone["rows"]}


def test_bad_date_range_is_invalid_argument(api: Api) -> None:
    assert_error(api.user.get("/v1/usage", params={"startDate": "2025-02-30"}), 3)
    assert_error(
        api.user.get("/v1/usage", params={"startDate": "2025-02-02", "endDate": "2025-02-01"}), 3
    )
    assert_error(api.user.get("/v1/usage", params={"startDate": "yesterday"}), 3)
    # Sent but empty is not "unset": the spec says format date.
    assert_error(api.user.get("/v1/usage", params={"endDate": ""}), 3)


def test_the_default_range_stops_at_the_first_day_there_is(api: Api) -> None:
    # Found by schemathesis: thirty days before 0001-01-01 used to be a 500.
    response = api.user.get("/v1/usage", params={"endDate": "0001-01-10"})
    assert response.status_code == 200, response.text
    assert (response.json()["startDate"], response.json()["endDate"]) == (
        "0001-01-01",
        "0001-01-10",
    )
