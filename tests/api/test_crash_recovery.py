"""A turn survives its server process being killed and the database dropping its connections.

Real server processes (`python -m server serve`) share one fresh PostgreSQL
database, with a short generation lease (2 s) and sweep (1 s), as an operator
running N processes would. Waits are polls with generous overall timeouts:
the figures asserted are outcomes, not speeds.
"""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.migrations import upgrade_to_head
from tests.api.resource_client import sse_events
from tests.conftest import LiveServer, admin_client
from tests.store.db_fixtures import PG_ADMIN_DSN, fresh_postgres_database

pytestmark = pytest.mark.postgres

LEASE_SECONDS = 2
SWEEP_SECONDS = 1
WAIT_SECONDS = 60.0  # the most any poll here waits; the bound asserted is the outcome


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this module's own."""
    with fresh_postgres_database() as url:
        upgrade_to_head(url)
        yield url


def start_servers(count: int, workdir: Path, pg_url: str) -> list[LiveServer]:
    env = {
        "PRIVATELLM_DATABASE_URL": pg_url,
        "PRIVATELLM_RUN_MIGRATIONS": "false",
        "PRIVATELLM_GENERATION_LEASE_SECONDS": str(LEASE_SECONDS),
        "PRIVATELLM_GENERATION_SWEEP_INTERVAL_SECONDS": str(SWEEP_SECONDS),
    }
    # Started side by side: each start waits for its server to answer.
    with ThreadPoolExecutor(count) as pool:
        starts = [pool.submit(LiveServer, workdir, env) for _ in range(count)]
    servers = [start.result() for start in starts if start.exception() is None]
    if len(servers) < count:
        for server in servers:
            server.stop()
        raise next(e for start in starts if (e := start.exception()) is not None)
    return servers


@pytest.fixture(scope="module")
def cluster(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    """Two processes on one database. The kill test kills the second; the first serves
    both tests (each test has conversations of its own), in either order."""
    servers = start_servers(2, tmp_path_factory.mktemp("cluster"), pg_url)
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def poll(check: Callable[[], Any], what: str) -> Any:
    """`check()` until it returns something truthy; fails after WAIT_SECONDS."""
    give_up = time.monotonic() + WAIT_SECONDS
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > give_up:
            pytest.fail(f"not within {WAIT_SECONDS:g} s: {what}")
        time.sleep(0.05)


def test_a_killed_process_leaves_its_text_and_frees_the_conversation(
    cluster: list[LiveServer],
) -> None:
    survivor, doomed = cluster
    with admin_client(doomed) as first, admin_client(survivor) as other:
        cid = first.post("/v1/conversations", json={}).json()["id"]
        received = ""
        answer_name = ""
        # Five deltas, then the upstream goes silent: the process is killed mid-answer.
        body = {"content": "one two three four five six [echo:stall-after=5]"}
        with first.stream("POST", f"/v1/conversations/{cid}/messages:stream", json=body) as sse:
            assert sse.status_code == 200
            # Read with next(), not a loop left by break: that would close the response,
            # and the client would have gone (CANCELLED) instead of the server dying.
            events = sse_events(sse.iter_lines())
            deltas = 0
            while deltas < 5:
                name, payload = next(events)
                if name == "delta":
                    received += payload["content"]
                    answer_name = payload["name"]
                    deltas += 1
            assert received == "Echo: one two three four "

            def answer() -> dict[str, Any]:
                response = other.get(f"/v1/{answer_name}")
                assert response.status_code == 200, response.text
                body: dict[str, Any] = response.json()
                return body

            # Saved within the persistence bound (1 s), while the answer is still running.
            poll(lambda: answer()["content"] == received, "the streamed text saved")
            assert answer()["status"] == "IN_PROGRESS"
            doomed.process.kill()  # SIGKILL: no shutdown, no settle
            doomed.process.wait(timeout=30)
        killed_at = time.monotonic()

        # No new message is sent: the survivor's sweep settles the answer on its own.
        settled = poll(
            lambda: (a := answer())["status"] != "IN_PROGRESS" and a, "the answer settled"
        )
        waited = time.monotonic() - killed_at
        assert settled["status"] == "FAILED"
        assert settled["content"] == received
        assert settled["error"]["code"] == 14
        # The lease bound plus one sweep, with room for a loaded machine.
        assert waited < LEASE_SECONDS + SWEEP_SECONDS + 20, waited
        sent = other.post(f"/v1/conversations/{cid}/messages", json={"content": "again"})
        assert sent.status_code == 200, sent.text
        assert sent.json()["assistantMessage"]["content"] == "Echo: again"


async def _terminate_server_connections(database: str, times: int, pause: float) -> int:
    """pg_terminate_backend on every connection to `database`, `times` times: a database
    that keeps dropping its clients, as a restart or a failover does."""
    import asyncpg

    killed = 0
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for _ in range(times):
            rows = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
            killed += len(rows)
            await asyncio.sleep(pause)
    finally:
        await admin.close()
    return killed


def test_dropped_database_connections_answer_14_and_leave_no_conversation_locked(
    cluster: list[LiveServer], pg_url: str
) -> None:
    database = pg_url.rsplit("/", 1)[-1]
    breaking = threading.Event()
    outcomes: list[tuple[str, int, int | None]] = []  # (kind, HTTP status, envelope code)
    lock = threading.Lock()
    clients = [admin_client(cluster[0]) for _ in range(2)]
    try:
        conversations = [
            clients[0].post("/v1/conversations", json={}).json()["id"] for _ in range(4)
        ]

        def record(kind: str, status: int, code: int | None) -> None:
            with lock:
                outcomes.append((kind, status, code))

        def turns_in(index: int) -> None:
            client = clients[index % 2]
            cid = conversations[index]
            body = {"content": "a b c d e f [echo:delay=40]"}
            for turn in range(200):  # bounded; ends soon after the break does
                if not breaking.is_set() and turn > 0:
                    return
                # A read between turns: a turn may now meet the break only in its settlement,
                # which is retried (its read skipped: domain.turn_contexts), so a read makes
                # sure the break is seen by some request.
                listed = client.get(f"/v1/conversations/{cid}/messages")
                record("get", listed.status_code, listed.json().get("code"))
                if turn % 2:
                    response = client.post(f"/v1/conversations/{cid}/messages", json=body)
                    code = None if response.status_code == 200 else response.json()["code"]
                    record("send", response.status_code, code)
                    continue
                path = f"/v1/conversations/{cid}/messages:stream"
                with client.stream("POST", path, json=body) as sse:
                    if sse.status_code != 200:
                        sse.read()
                        record("stream", sse.status_code, sse.json()["code"])
                        continue
                    last = list(sse_events(sse.iter_lines()))[-1]
                    code = last[1]["code"] if last[0] == "error" else None
                    record("stream", 200, code)

        breaking.set()
        with ThreadPoolExecutor(len(conversations)) as pool:
            running = [pool.submit(turns_in, i) for i in range(len(conversations))]
            killed = asyncio.run(_terminate_server_connections(database, times=20, pause=0.25))
            breaking.clear()
            for future in running:
                future.result(timeout=WAIT_SECONDS)
        assert killed > 0
        broken_at = time.monotonic()

        # Never a 500: each request either worked or said the database was unavailable (14),
        # before the stream started or in its error event. 9 is the answer while an abandoned
        # answer's lease runs out (at most 2 s).
        allowed = {
            ("get", 200, None),
            ("get", 503, 14),
            ("send", 200, None),
            ("stream", 200, None),
            ("stream", 200, 14),
            *((kind, 503, 14) for kind in ("send", "stream")),
            *((kind, 400, 9) for kind in ("send", "stream")),
        }
        assert outcomes and set(outcomes) <= allowed, sorted(set(outcomes) - allowed)
        assert any(code == 14 for _, _, code in outcomes), "the break was never seen"

        # No conversation stays locked past the lease: each takes a new message, on another
        # connection, and no answer is left IN_PROGRESS.
        def free(client: httpx.Client, cid: str) -> bool:
            response = client.post(f"/v1/conversations/{cid}/messages", json={"content": "x"})
            assert response.status_code in (200, 400, 503), response.text
            return response.status_code == 200

        for index, cid in enumerate(conversations):
            client = clients[(index + 1) % 2]
            poll(lambda: free(client, cid), f"conversation {cid} free again")  # noqa: B023
            thread = client.get(f"/v1/conversations/{cid}/messages", params={"pageSize": 1000})
            statuses = {m["status"] for m in thread.json()["messages"]}
            assert "IN_PROGRESS" not in statuses, statuses
        assert time.monotonic() - broken_at < LEASE_SECONDS + SWEEP_SECONDS + 20
    finally:
        for client in clients:
            client.close()
