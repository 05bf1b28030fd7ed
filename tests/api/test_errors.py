"""Every error path answers the envelope with the canonical status, over real HTTP."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from errors import Code, http_status
from tests.conftest import ADMIN_SECRET, LiveServer
from tests.store.db_fixtures import fresh_postgres_database


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


JSON = {"content-type": "application/json"}
# Bodies the standard library's json would take (or crash on), each refused with 3
# before it reaches the spec's validator: (body, Content-Type, what the message says).
UNPARSABLE_BODIES = [
    pytest.param(
        b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        JSON,
        "deeper than 32 levels",
        id="nested-100000-deep",
    ),
    pytest.param(
        b'{"title": ' + b"[" * 33 + b"]" * 33 + b"}", JSON, "deeper than 32 levels", id="nested-33"
    ),
    pytest.param(b'{"title": "a\\u0000b"}', JSON, "$.title holds U+0000", id="nul"),
    pytest.param(b'{"title": "a\\ud800b"}', JSON, "$.title holds a lone surrogate", id="surrogate"),
    pytest.param(b'{"title\\udc00": "a"}', JSON, "lone surrogate", id="surrogate-in-a-name"),
    pytest.param(
        b'{"title": "a", "title": "b"}', JSON, "'title' appears twice", id="duplicate-key"
    ),
    pytest.param(b'{"title": 1e999}', JSON, "1e999 is out of range", id="huge-float"),
    pytest.param(b'{"title": 1' + b"0" * 5000 + b"}", JSON, "4300 digits", id="huge-integer"),
    pytest.param(b'{"title": NaN}', JSON, "NaN is not a JSON number", id="nan"),
    pytest.param(b'{"title": -Infinity}', JSON, "-Infinity is not a JSON number", id="infinity"),
    pytest.param(
        '{"title": "é"}'.encode("latin-1"),
        {"content-type": "application/json; charset=latin-1"},
        "charset 'latin-1' is not accepted",
        id="latin-1",
    ),
    pytest.param(
        b'{"title": "ascii only"}',
        {"content-type": "application/json; charset=utf-16"},
        "charset 'utf-16' is not accepted",
        id="declared-utf-16",
    ),
    pytest.param(b'{"title": "\xff"}', JSON, "not UTF-8", id="not-utf8"),
]


@pytest.mark.parametrize(("body", "headers", "message"), UNPARSABLE_BODIES)
def test_an_unparsable_body_answers_3_and_stores_nothing(
    admin: httpx.Client, body: bytes, headers: dict[str, str], message: str
) -> None:
    user = admin.post("/v1/apiKeys", json={"user": "strict-json"}).json()
    client_headers = {"Authorization": f"Bearer {user['secret']}"}
    with httpx.Client(base_url=str(admin.base_url), headers=client_headers, timeout=10) as client:
        response = client.post("/v1/conversations", content=body, headers=headers)
        assert message in str(assert_envelope(response, Code.INVALID_ARGUMENT)["message"])
        assert client.get("/v1/conversations").json()["conversations"] == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"content": "a\\u0000b"}', id="nul"),
        pytest.param(b'{"content": "\\udfff"}', id="surrogate"),
        pytest.param(b'{"content": "a", "content": "b"}', id="duplicate-key"),
        pytest.param(b'{"content": "a", "temperature": NaN}', id="nan"),
        pytest.param(b'{"content": "a", "stop": ["\\u0000"]}', id="nul-in-an-array"),
    ],
)
def test_a_message_that_cannot_be_stored_answers_3_and_leaves_the_thread(
    admin: httpx.Client, body: bytes
) -> None:
    conversation = admin.post("/v1/conversations", json={"title": "strict"}).json()
    path = f"/v1/conversations/{conversation['id']}"
    for suffix in ("/messages", "/messages:stream"):
        assert_envelope(
            admin.post(path + suffix, content=body, headers=JSON), Code.INVALID_ARGUMENT
        )
    assert admin.get(path + "/messages").json()["messages"] == []
    assert admin.get(path).json() == conversation


def test_the_openai_door_refuses_the_same_bodies(admin: httpx.Client) -> None:
    body = b'{"model": "echo", "messages": [{"role": "user", "content": "a\\u0000"}]}'
    response = admin.post("/openai/v1/chat/completions", content=body, headers=JSON)
    message = assert_envelope(response, Code.INVALID_ARGUMENT)["message"]
    assert "$.messages[0].content holds U+0000" in str(message)


# Path and query bytes that Starlette would decode to something else (U+FFFD for
# bytes that are not UTF-8) or that PostgreSQL cannot compare with (U+0000).
UNREADABLE_TARGETS = [
    pytest.param("GET", "/v1/conversations/a%00b", "the path holds U+0000", id="path-nul"),
    pytest.param("GET", "/v1/conversations/a%ff", "the path is not UTF-8", id="path-not-utf8"),
    pytest.param(
        "GET", "/v1/conversations/%ed%a0%80", "the path is not UTF-8", id="path-surrogate"
    ),
    pytest.param("GET", "/v1/models/echo%00", "the path holds U+0000", id="model-path-nul"),
    pytest.param("GET", "/v1/usage?model=a%00", "the query string holds U+0000", id="query-nul"),
    pytest.param(
        "GET", "/v1/usage?model=%ff%fe", "the query string is not UTF-8", id="query-not-utf8"
    ),
    pytest.param(
        "DELETE", "/v1/conversations/x?etag=%00", "the query string holds U+0000", id="etag-nul"
    ),
    pytest.param(
        "GET",
        "/v1/conversations?pageSize=2&pageSize=3",
        "query parameter pageSize is given 2 times",
        id="query-twice",
    ),
    pytest.param(
        "GET",
        "/v1/conversations?pageSize=1e999",
        "query parameter pageSize: '1e999' is not of type 'integer'",
        id="query-huge",
    ),
    pytest.param(
        "GET",
        "/v1/conversations?pageToken=" + "A" * 30 + "%00",
        "the query string holds U+0000",
        id="page-token-nul",
    ),
]


@pytest.mark.parametrize(("method", "target", "message"), UNREADABLE_TARGETS)
def test_an_unreadable_path_or_query_answers_3(
    admin: httpx.Client, method: str, target: str, message: str
) -> None:
    response = admin.request(method, target)
    assert message in str(assert_envelope(response, Code.INVALID_ARGUMENT)["message"])


def test_a_header_that_is_not_ascii_is_refused_as_a_key(live_url: str) -> None:
    response = httpx.get(
        live_url + "/v1/conversations",
        headers={b"Authorization": "Bearer \xe9\xff".encode("latin-1")},
        timeout=10,
    )
    assert_envelope(response, Code.UNAUTHENTICATED)


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server of its own on a fresh PostgreSQL database."""
    with fresh_postgres_database() as url:
        workdir: Path = tmp_path_factory.mktemp("live-postgres")
        with LiveServer(workdir, {"PRIVATELLM_DATABASE_URL": url}) as server:
            yield server


@pytest.mark.postgres
def test_on_postgresql_what_its_text_cannot_hold_answers_3_and_stores_nothing(
    postgres_server: LiveServer,
) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with httpx.Client(base_url=postgres_server.url, headers=headers, timeout=10) as client:
        kept = client.post("/v1/conversations", json={"title": "kept"}).json()
        path = f"/v1/conversations/{kept['id']}"
        refused = [
            client.post("/v1/conversations", content=b'{"title": "a\\u0000"}', headers=JSON),
            client.post("/v1/conversations", content=b'{"systemPrompt": "\\ud800"}', headers=JSON),
            client.patch(path, content=b'{"title": "\\u0000", "etag": "x"}', headers=JSON),
            client.patch(path, content=b'{"etag": "\\u0000"}', headers=JSON),
            client.post(path + "/messages", content=b'{"content": "a\\u0000b"}', headers=JSON),
            client.post(path + "/messages", content=b'{"content": "\\udc00"}', headers=JSON),
            client.post("/v1/apiKeys", content=b'{"displayName": "\\u0000"}', headers=JSON),
            client.get("/v1/conversations/a%00b"),
            client.get(path + "/messages/m%00"),
            client.delete(path + "?etag=%00"),
            client.get("/v1/usage?model=a%00"),
            client.get("/v1/apiKeys?user=%00"),
        ]
        for response in refused:
            assert_envelope(response, Code.INVALID_ARGUMENT)
        assert client.get("/v1/conversations").json()["conversations"] == [kept]
        assert client.get(path + "/messages").json()["messages"] == []
        keys = client.get("/v1/apiKeys").json()["apiKeys"]
        assert len(keys) == 1  # the bootstrap key alone
