"""What the shipped nginx config bounds that uvicorn alone does not, each directive exercised:

- `limit_conn` (+ `limit_conn_status`, `error_page 429`): a client with as many requests in
  flight as the limit is refused the next one in our envelope, 429 with code 8 and
  `Retry-After`, while the same request straight to the server process is served; once its
  requests end, the client is served again;
- `client_body_timeout`: a client that starts a body and stops sending is cut off once the
  timeout has passed, while the server process alone still holds the same half-sent request;
- `client_max_body_size` (+ `error_page 413`): a body past the server's own limit is refused
  by nginx with the answer the server itself gives, 400 code 3.

The config is the shipped file with only its numbers rendered smaller (a limit of 3, not 256;
2 s, not 30 s) and its upstream list pointed at one server process on SQLite. nginx and the
server are this module's own processes, stopped by their pids.
"""

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.resource_client import assert_error
from tests.conftest import ADMIN_SECRET, LiveServer, free_port
from tests.deploy.nginx import Nginx, nginx_binary, render

CONNECTION_LIMIT = 3  # rendered instead of the shipped 256
BODY_TIMEOUT_SECONDS = 2  # rendered instead of the shipped 30 s
ADMIN = {"Authorization": f"Bearer {ADMIN_SECRET}"}
# 100 words 300 ms apart: an answer in flight for as long as a test needs it.
LONG = "[echo:delay=300] " + " ".join(f"w{i}" for i in range(100))
GENEROUS_SECONDS = 60


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, LiveServer]]:
    nginx_binary()
    server = LiveServer(tmp_path_factory.mktemp("bounded"))
    proxy = None
    try:
        rendered = render(
            free_port(),
            [server.port],
            {
                "limit_conn": f"privatellm_per_client {CONNECTION_LIMIT}",
                "client_body_timeout": f"{BODY_TIMEOUT_SECONDS}s",
            },
        )
        proxy = Nginx(tmp_path_factory.mktemp("nginx-bounds"), rendered)
        yield proxy, server
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop()


@contextlib.contextmanager
def streams_in_flight(base_url: str, count: int) -> Iterator[None]:
    """`count` long answers streaming through `base_url`, each on a connection of its own, all
    past their first delta; closed (the client hangs up) on exit."""
    held: list[Iterator[str]] = []
    with contextlib.ExitStack() as stack:
        for _ in range(count):
            http = stack.enter_context(httpx.Client(base_url=base_url, headers=ADMIN, timeout=30))
            conversation = http.post("/v1/conversations", json={}).json()["id"]
            response = stack.enter_context(
                http.stream(
                    "POST",
                    f"/v1/conversations/{conversation}/messages:stream",
                    json={"content": LONG},
                )
            )
            assert response.status_code == 200, response.read()
            # Kept referenced: a line iterator collected half-read would close its connection.
            lines = response.iter_lines()
            held.append(lines)
            for line in lines:
                if line == "event: delta":
                    break
            else:
                raise AssertionError("the stream ended before its first delta")
        yield


def test_a_client_over_the_connection_limit_is_refused_in_our_envelope(
    site: tuple[Nginx, LiveServer],
) -> None:
    proxy, server = site
    with streams_in_flight(proxy.url, CONNECTION_LIMIT):
        refused = httpx.get(proxy.url + "/v1/models", headers=ADMIN, timeout=30)
        body = assert_error(refused, 8)  # 429, application/json
        assert refused.headers["retry-after"] == "1"
        assert "concurrent" in body["message"]
        # uvicorn alone does not bound it: the same client, straight to the process, is served.
        with streams_in_flight(server.url, 1):
            direct = httpx.get(server.url + "/v1/models", headers=ADMIN, timeout=30)
            assert direct.status_code == 200, direct.text
    # Its streams ended (it hung up): the client is served through nginx again, once nginx
    # has seen the hang-ups (at its next write to each).
    deadline = time.monotonic() + GENEROUS_SECONDS
    while True:
        again = httpx.get(proxy.url + "/v1/models", headers=ADMIN, timeout=30)
        if again.status_code == 200:
            break
        assert_error(again, 8)
        assert time.monotonic() < deadline, "the client stayed refused after its requests ended"
        time.sleep(0.1)


def half_sent_body(port: int) -> socket.socket:
    """A connection whose request announced 1,000 bytes of body and sent 12."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=GENEROUS_SECONDS)
    sock.sendall(
        b"POST /v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {ADMIN_SECRET}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        + b'{"title": "a'
    )
    return sock


def read_to_the_end(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_a_client_that_stops_sending_its_body_is_cut_off(site: tuple[Nginx, LiveServer]) -> None:
    proxy, server = site
    direct = half_sent_body(server.port)
    through_nginx = half_sent_body(proxy.port)
    started = time.monotonic()
    answer = read_to_the_end(through_nginx)  # until nginx closes the connection
    waited = time.monotonic() - started
    through_nginx.close()
    # Cut by the body timeout, not at once (a loaded machine only makes it later), and with no
    # answer at all: nginx logs 408 and closes, sending neither its page nor anything else.
    assert waited >= BODY_TIMEOUT_SECONDS - 0.5, waited
    assert answer == b"", answer
    assert '"POST /v1/conversations HTTP/1.1" 408 0' in proxy.access_log()
    # The server process alone still holds the request it was given at the same time.
    direct.setblocking(False)
    with pytest.raises(BlockingIOError):  # open, and nothing answered
        direct.recv(1)
    direct.close()
    # Neither the cut nor the abandoned request harmed the topology.
    assert httpx.get(proxy.url + "/healthz", timeout=30).status_code == 200


def test_a_body_over_the_size_limit_is_refused_as_the_server_refuses_it(
    site: tuple[Nginx, LiveServer],
) -> None:
    proxy, server = site
    too_big = {"title": "x" * 1_048_576}  # past max_body_bytes and client_max_body_size (1 MiB)
    direct = httpx.post(server.url + "/v1/conversations", json=too_big, headers=ADMIN, timeout=30)
    refused = httpx.post(proxy.url + "/v1/conversations", json=too_big, headers=ADMIN, timeout=30)
    assert assert_error(refused, 3) == assert_error(direct, 3)
    assert b"nginx" not in refused.content
