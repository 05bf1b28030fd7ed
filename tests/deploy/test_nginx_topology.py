"""The documented deployment, run: nginx (deploy/nginx/privatellm.conf) in front of 3 server
processes on one fresh PostgreSQL database. Under a bounded load one process is SIGKILLed:

- only the requests in flight on it fail, in our envelope (code 14), never nginx's own page;
- the other two carry the load, every client keeps getting answers;
- every answer a client was given is stored, COMPLETE (nothing committed is lost);
- the answer cut by the kill ends FAILED once its generation lease is
  stale, and its conversation takes new messages;

and nginx bounds what uvicorn alone does not: a client that never finishes its headers is
disconnected. nginx runs as this test's own process, on free ports, from a config rendered
into a temporary directory; it is stopped by its pid.
"""

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from store.migrations import upgrade_to_head
from tests.conftest import ADMIN_SECRET, ROOT, LiveServer, free_port
from tests.deploy.nginx import Nginx, nginx_binary, render
from tests.store.db_fixtures import fresh_postgres_database

PROCESSES = 3
CLIENTS = 6
REQUESTS_PER_CLIENT = 25
KILL_AFTER = 30  # answers, all clients together, before the kill
HEADER_TIMEOUT_SECONDS = 2  # rendered instead of the shipped 10 s, to keep the test short
# Each answer takes ~0.1 s upstream (4 words, 25 ms apart): the kill finds some in flight.
CONTENT = "[echo:delay=25] a b c d"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this module's own."""
    with fresh_postgres_database() as url:
        upgrade_to_head(url)
        yield url


# One topology for the module (three processes take a while to start); the tests run in
# file order: the header test, the kill (one process gone), then all processes stopped.
@pytest.fixture(scope="module")
def topology(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Nginx, list[LiveServer]]]:
    nginx_binary()
    env = {
        "PRIVATELLM_DATABASE_URL": database,
        "PRIVATELLM_RUN_MIGRATIONS": "false",
        # A short lease, swept often: an answer cut by the kill ends within seconds.
        "PRIVATELLM_GENERATION_LEASE_SECONDS": "3",
        "PRIVATELLM_GENERATION_SWEEP_INTERVAL_SECONDS": "1",
    }
    servers: list[LiveServer] = []
    proxy = None
    try:
        for index in range(PROCESSES):
            servers.append(LiveServer(tmp_path_factory.mktemp(f"process{index}"), env))
        site = render(
            free_port(),
            [s.port for s in servers],
            {"client_header_timeout": f"{HEADER_TIMEOUT_SECONDS}s"},
        )
        proxy = Nginx(tmp_path_factory.mktemp("nginx"), site)
        yield proxy, servers
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()


@dataclass(eq=False)  # a Thread must stay hashable
class Client(threading.Thread):
    """One user sending messages one after another; moves to a new conversation after a failure
    (the failed one may keep its generation lock until it goes stale)."""

    url: str
    answered: threading.Semaphore
    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: list[httpx.Response] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    after_kill: int = 0
    killed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as http:
            conversation = self._conversation(http)
            for _ in range(REQUESTS_PER_CLIENT):
                response = http.post(
                    f"/v1/conversations/{conversation}/messages", json={"content": CONTENT}
                )
                if response.status_code == 200:
                    self.answers.append((conversation, response.json()["assistantMessage"]))
                    self.after_kill += self.killed.is_set()
                    self.answered.release()
                else:
                    self.failures.append(response)
                    self.abandoned.append(conversation)
                    conversation = self._conversation(http)

    def _conversation(self, http: httpx.Client) -> str:
        for _ in range(20):  # the kill may cut this request too
            response = http.post("/v1/conversations", json={})
            if response.status_code == 200:
                return str(response.json()["id"])
            self.failures.append(response)
        raise AssertionError("no conversation could be created")


def test_nginx_drops_a_client_that_never_finishes_its_headers(
    topology: tuple[Nginx, list[LiveServer]],
) -> None:
    proxy, _servers = topology
    sockets = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        sockets.append(sock)
    started = time.monotonic()
    for sock in sockets:
        sock.settimeout(HEADER_TIMEOUT_SECONDS + 10)
        while sock.recv(4096):  # whatever nginx says, then the end of the connection
            pass
        sock.close()
    assert time.monotonic() - started < HEADER_TIMEOUT_SECONDS + 10
    # The processes never saw them; the topology still answers.
    assert httpx.get(proxy.url + "/healthz").status_code == 200


@pytest.fixture(scope="module")
def cut_answers() -> list[str]:
    """Conversations whose answer was being written by the killed process."""
    return []


def stream_on(server: LiveServer, started: threading.Event) -> str:
    """A long answer streamed by `server` itself; returns its conversation at the first text."""
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    conversation = httpx.post(server.url + "/v1/conversations", json={}, headers=headers).json()
    path = f"{server.url}/v1/conversations/{conversation['id']}/messages:stream"
    long = "[echo:delay=200] " + " ".join(["word"] * 100)

    def read() -> None:
        try:
            with httpx.stream("POST", path, json={"content": long}, headers=headers) as response:
                for line in response.iter_lines():
                    if "word" in line:
                        started.set()
        except httpx.HTTPError:
            pass  # cut by the kill

    threading.Thread(target=read, daemon=True).start()
    return str(conversation["id"])


def test_killing_one_process_under_load(
    topology: tuple[Nginx, list[LiveServer]], cut_answers: list[str]
) -> None:
    proxy, servers = topology
    victim = servers[1]
    streaming = threading.Event()
    cut_answers.append(stream_on(victim, streaming))
    assert streaming.wait(30)
    answered = threading.Semaphore(0)
    clients = [Client(proxy.url, answered) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    for _ in range(KILL_AFTER):
        assert answered.acquire(timeout=30), "the load did not get going"
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait(timeout=10)
    for client in clients:
        client.killed.set()
    for client in clients:
        client.join(120)
        assert not client.is_alive(), "a client never finished"

    failures = [response for client in clients for response in client.failures]
    # Only what was in flight on the killed process failed: at most one request per client.
    assert len(failures) <= CLIENTS, [f.text for f in failures]
    for response in failures:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/json"), response.text
        assert response.json()["code"] == 14
    # The two others carried the load: every client kept getting answers after the kill.
    assert all(client.after_kill > 0 for client in clients), [c.after_kill for c in clients]

    # Every answer a client got is stored, COMPLETE, as it was given.
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with httpx.Client(base_url=proxy.url, headers=headers, timeout=30) as http:
        for client in clients:
            for conversation, answer in client.answers:
                stored = http.get(f"/v1/conversations/{conversation}/messages/{answer['id']}")
                assert stored.status_code == 200, stored.text
                assert stored.json()["status"] == "COMPLETE"
                assert stored.json()["content"] == answer["content"]
    cut_answers.extend(c for client in clients for c in client.abandoned)
    print(
        f"topology: {sum(len(c.answers) for c in clients)} answers, {len(failures)} failed "
        f"(code 14) at the kill, {[c.after_kill for c in clients]} answers per client after it"
    )


def test_an_answer_cut_by_the_kill_ends_failed_once_stale(
    topology: tuple[Nginx, list[LiveServer]], cut_answers: list[str]
) -> None:
    """An answer cut by the kill is IN_PROGRESS under a lease nobody renews: once the lease
    (`generation_lease_seconds`) is stale, the sweep of a live process ends it FAILED with no
    new request, and the conversation takes new messages. The stream the victim itself wrote
    is such an answer for certain; a client's failed send may have been cut before anything
    was stored, so its conversation only has to be free of IN_PROGRESS answers."""
    assert cut_answers, "the kill test did not run first"
    proxy, _servers = topology
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with httpx.Client(base_url=proxy.url, headers=headers, timeout=30) as http:
        streamed, *sent = cut_answers
        assert wait_until_settled(http, streamed)["status"] == "FAILED"
        for conversation in sent:
            wait_until_settled(http, conversation)


def wait_until_settled(http: httpx.Client, conversation: str) -> dict[str, Any]:
    """The conversation's last message once none is IN_PROGRESS; then a new one must go in."""
    deadline = time.monotonic() + 60
    while True:
        thread = http.get(f"/v1/conversations/{conversation}/messages").json()["messages"]
        if all(m["status"] != "IN_PROGRESS" for m in thread):
            break
        assert time.monotonic() < deadline, "the cut answer never ended"
        time.sleep(0.2)
    assert all(m["status"] in ("COMPLETE", "FAILED") for m in thread)
    more = http.post(f"/v1/conversations/{conversation}/messages", json={"content": "again"})
    assert more.status_code == 200, more.text
    last: dict[str, Any] = thread[-1] if thread else {}
    return last


def test_nginx_own_failures_answer_the_envelope(
    topology: tuple[Nginx, list[LiveServer]],
) -> None:
    proxy, servers = topology
    for server in servers:
        server.stop()
    response = httpx.get(proxy.url + "/v1/models", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == 14
    assert response.headers["retry-after"] == "1"


def test_the_unit_starts_what_the_topology_runs() -> None:
    """deploy/systemd's unit runs `privatellm serve` on its instance's port, and gives the
    drain time to finish before systemd's SIGKILL."""
    import configparser

    from server.cli import main  # noqa: F401  (the entry point the unit names)
    from server.config import load_settings
    from server.graceful_stop import SETTLE_SECONDS
    from server.serve import CLOSE_SECONDS

    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(ROOT / "deploy" / "systemd" / "privatellm@.service")
    command = unit["Service"]["ExecStart"].split()
    assert command[0].endswith("/privatellm") and command[1] == "serve"
    assert command[command.index("--port") + 1] == "%i"
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    prod = load_settings("prod", {"PRIVATELLM_API_KEY_PEPPER": "x"})
    drain = prod.drain_timeout_seconds + SETTLE_SECONDS + CLOSE_SECONDS
    assert float(unit["Service"]["TimeoutStopSec"]) > drain
    assert "ENV=prod" in unit["Service"]["Environment"]
    assert os.path.basename(command[0]) == "privatellm"
