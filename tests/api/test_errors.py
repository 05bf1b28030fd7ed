"""Every error path answers the envelope with the canonical status, over real HTTP."""

from collections.abc import Iterator

import httpx
import pytest

from errors import Code, http_status


@pytest.fixture
def admin(live_url: str, admin_key: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=live_url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=10
    ) as client:
        yield client


def assert_envelope(
    response: httpx.Response, code: Code, status: int | None = None
) -> dict[str, object]:
    assert response.status_code == (status or http_status(code)), response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"code", "message", "details"}
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in body["message"]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        pytest.param("POST", "/v1/conversations", {"content": b"{not json"}, id="bad-json"),
        pytest.param("POST", "/v1/conversations", {"json": {"title": 5}}, id="wrong-type"),
        pytest.param(
            "POST",
            "/v1/conversations",
            {"content": b'{"title": "\xff\xfe"}', "headers": {"content-type": "application/json"}},
            id="not-utf8",
        ),
        pytest.param("POST", "/v1/conversations", {"json": {"title": "x" * 201}}, id="too-long"),
        pytest.param("POST", "/v1/conversations", {"json": {"nope": 1}}, id="extra-field"),
        pytest.param(
            "POST",
            "/v1/conversations",
            {"content": b"title=x", "headers": {"content-type": "text/plain"}},
            id="wrong-content-type",
        ),
        pytest.param("GET", "/v1/conversations", {"params": {"pageSize": 0}}, id="below-range"),
        pytest.param("GET", "/v1/conversations", {"params": {"pageSize": "x"}}, id="not-int"),
        pytest.param("GET", "/v1/conversations", {"params": {"bogus": "1"}}, id="unknown-query"),
        pytest.param("POST", "/v1/apiKeys", {"json": {"role": "SUPERUSER"}}, id="unknown-enum"),
        pytest.param("POST", "/v1/conversations/abc/messages", {"json": {}}, id="missing-required"),
        pytest.param(
            "GET", "/v1/conversations", {"params": {"pageToken": "tampered"}}, id="bad-page-token"
        ),
    ],
)
def test_invalid_requests_answer_3(
    admin: httpx.Client, method: str, path: str, kwargs: dict[str, object]
) -> None:
    assert_envelope(admin.request(method, path, **kwargs), Code.INVALID_ARGUMENT)  # type: ignore[arg-type]


def test_unknown_path_answers_12(admin: httpx.Client) -> None:
    assert_envelope(admin.get("/v1/no-such-thing"), Code.UNIMPLEMENTED, 404)


def test_unknown_method_answers_12_with_allow(admin: httpx.Client) -> None:
    response = admin.delete("/v1/conversations")
    assert_envelope(response, Code.UNIMPLEMENTED, 405)
    assert response.headers["allow"] == "GET, POST"


def test_missing_key_answers_16_with_challenge(live_url: str) -> None:
    response = httpx.get(live_url + "/v1/conversations", timeout=10)
    assert_envelope(response, Code.UNAUTHENTICATED)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_invalid_key_answers_16(live_url: str) -> None:
    response = httpx.get(
        live_url + "/v1/conversations", headers={"Authorization": "Bearer pllm_nope"}, timeout=10
    )
    assert_envelope(response, Code.UNAUTHENTICATED)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_revoked_key_answers_16_on_the_next_request(admin: httpx.Client, live_url: str) -> None:
    created = admin.post("/v1/apiKeys", json={"user": "revoked-user"}).json()
    headers = {"Authorization": f"Bearer {created['secret']}"}
    assert httpx.get(live_url + "/v1/conversations", headers=headers, timeout=10).status_code == 200
    revoked = admin.post(f"/v1/apiKeys/{created['apiKey']['id']}:revoke", json={})
    assert revoked.status_code == 200, revoked.text
    response = httpx.get(live_url + "/v1/conversations", headers=headers, timeout=10)
    assert_envelope(response, Code.UNAUTHENTICATED)


def test_body_over_the_limit_answers_3_before_reading_it(admin: httpx.Client) -> None:
    big = b'{"title": "' + b"x" * 2_000_000 + b'"}'
    assert_envelope(admin.post("/v1/conversations", content=big), Code.INVALID_ARGUMENT)


def test_chunked_body_over_the_limit_answers_3(admin: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = admin.post(
        "/v1/conversations", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_envelope(response, Code.INVALID_ARGUMENT)


def test_unexpected_exception_answers_2_with_request_id(admin: httpx.Client) -> None:
    response = admin.get("/v1/models", headers={"X-Test-Crash": "1", "X-Request-Id": "req-42"})
    body = assert_envelope(response, Code.UNKNOWN)
    assert "req-42" in str(body["message"])
    assert response.headers["x-request-id"] == "req-42"


def test_every_answer_carries_a_request_id(live_url: str) -> None:
    response = httpx.get(live_url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pageSize": 0}, "query parameter pageSize: 0 is less than the minimum of 1"),
        ({"pageSize": 5000}, "query parameter pageSize: 5000 is greater than the maximum of 1000"),
    ],
)
def test_a_bad_parameter_is_named_in_one_line(
    admin: httpx.Client, params: dict[str, object], message: str
) -> None:
    body = assert_envelope(
        admin.get("/v1/conversations", params=params),  # type: ignore[arg-type]
        Code.INVALID_ARGUMENT,
    )
    assert body["message"] == message
