"""HTTP helpers for the resource tests: one httpx client per user, envelope checks, SSE parsing."""

import json
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from errors import Code, http_status
from tests.conftest import LiveServer, admin_client

TIMEOUT = httpx.Timeout(10.0)


@dataclass
class Api:
    """Clients of a running server: a user, another user, an admin, and fresh users on demand."""

    base_url: str
    admin: httpx.Client
    user: httpx.Client
    other: httpx.Client
    _extra: list[httpx.Client] = field(default_factory=list)

    def client(self, secret: str) -> httpx.Client:
        client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {secret}"},
            timeout=TIMEOUT,
        )
        self._extra.append(client)
        return client

    def client_for(self, client: httpx.Client) -> httpx.Client:
        """Another client with the same key (for a second connection, e.g. in a thread)."""
        twin = httpx.Client(base_url=self.base_url, headers=client.headers, timeout=TIMEOUT)
        self._extra.append(twin)
        return twin

    def new_user(self, role: str = "USER") -> tuple[str, httpx.Client]:
        """A user of its own (id and client), so a test sees only its own rows."""
        user_id = f"u-{secrets.token_hex(4)}"
        response = self.admin.post("/v1/apiKeys", json={"user": user_id, "role": role})
        assert response.status_code == 200, response.text
        return user_id, self.client(response.json()["secret"])

    def close(self) -> None:
        for client in [self.admin, self.user, self.other, *self._extra]:
            client.close()


@pytest.fixture
def api(live_url: str, admin_key: str, user_key: str, other_user_key: str) -> Iterator[Api]:
    def make(secret: str) -> httpx.Client:
        return httpx.Client(
            base_url=live_url, headers={"Authorization": f"Bearer {secret}"}, timeout=TIMEOUT
        )

    clients = Api(live_url, make(admin_key), make(user_key), make(other_user_key))
    yield clients
    clients.close()


def assert_error(response: httpx.Response, code: int) -> dict[str, Any]:
    """The answer is the error envelope with `code` and the code's HTTP status."""
    assert response.status_code == http_status(Code(code)), (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "message", "details"}
    return body


def sse_events(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event, data) pairs from the lines of a text/event-stream body."""
    name, data = "message", list[str]()
    for line in lines:
        if line == "":
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", list[str]()
        elif line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].strip())
    if data:
        yield name, json.loads("\n".join(data))


def new_conversation(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/conversations", json=fields)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def settled_answer(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    """The conversation's last message once it is no longer IN_PROGRESS (bounded: 10 s).

    A client that hangs up returns before the server has noticed and stored the
    answer CANCELLED: that happens as soon as it can, but not before the test reads.
    """
    path = f"/v1/conversations/{conversation_id}/messages"
    for _ in range(200):
        answer: dict[str, Any] = client.get(path, params={"pageSize": 1000}).json()["messages"][-1]
        if answer["status"] != "IN_PROGRESS":
            break
        time.sleep(0.05)
    return answer


def leave_after_first_text(
    server: LiveServer, path: str, body: dict[str, Any], marker: str
) -> None:
    """Open a stream as the admin, read until a line with `marker` (the first text) arrives,
    then hang up: what a client that leaves mid-answer does."""
    with admin_client(server) as client, client.stream("POST", path, json=body) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if marker in line:
                return
    raise AssertionError("the stream ended before any text")
