"""A database outage: every request answers 14 with Retry-After, fast, and the server recovers.

The server reaches a fresh PostgreSQL database through a TCP proxy the test
cuts (connections reset, new ones refused) and restores; the server process
is never restarted.
"""

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.api.resource_client import assert_error
from tests.conftest import ADMIN_SECRET, LiveServer
from tests.fakes.tcp_proxy import TcpProxy
from tests.store.db_fixtures import PG_HOST, PG_PORT, postgres_url  # noqa: F401  (a fixture)

RECOVERY_SECONDS = 30


@pytest.fixture
def proxied(
    postgres_url: str,  # noqa: F811  (the fixture imported above)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, TcpProxy]]:
    with TcpProxy(PG_HOST, PG_PORT) as proxy:
        url = postgres_url.replace(f"{PG_HOST}:{PG_PORT}", f"127.0.0.1:{proxy.port}")
        env = {
            "PRIVATELLM_DATABASE_URL": url,
            "PRIVATELLM_DATABASE_TIMEOUT_SECONDS": "3",
            # Every request authenticates against the database: a key still in the
            # verified-key cache would let /v1/models (no database) answer 200.
            "PRIVATELLM_API_KEY_CACHE_SECONDS": "0",
        }
        with LiveServer(tmp_path_factory.mktemp("outage"), env) as server:
            yield server, proxy


def test_an_outage_answers_14_everywhere_and_heals(
    proxied: tuple[LiveServer, TcpProxy],
) -> None:
    server, proxy = proxied
    admin = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=20
    )
    created = admin.post("/v1/conversations", json={"title": "before the outage"})
    assert created.status_code == 200
    conversation = created.json()["id"]
    assert admin.get("/v1/conversations").status_code == 200  # the pool holds connections

    proxy.cut()
    # Each kind of request, some twice: a pooled connection found dead, then a refused connect.
    requests: list[Callable[[], httpx.Response]] = [
        lambda: admin.get("/v1/conversations"),
        lambda: admin.get("/v1/conversations"),
        lambda: admin.post("/v1/conversations", json={"title": "during"}),
        lambda: admin.post(f"/v1/conversations/{conversation}/messages", json={"content": "hi"}),
        lambda: admin.get("/v1/models"),
        lambda: httpx.get(server.url + "/v1/usage", headers={"Authorization": "Bearer nope"}),
    ]
    for send in requests:
        response = send()
        assert_error(response, 14)
        assert int(response.headers["retry-after"]) > 0
    assert_error(httpx.get(server.url + "/readyz", timeout=20), 14)

    proxy.restore()
    deadline = time.monotonic() + RECOVERY_SECONDS
    while admin.get("/v1/conversations").status_code != 200:
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.1)
    assert httpx.get(server.url + "/readyz").status_code == 200
    listed = admin.get("/v1/conversations").json()["conversations"]
    assert [c["id"] for c in listed] == [conversation]  # nothing committed was lost
    answer = admin.post(f"/v1/conversations/{conversation}/messages", json={"content": "again"})
    assert answer.status_code == 200, answer.text
    admin.close()
