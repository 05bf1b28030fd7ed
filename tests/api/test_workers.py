"""`privatellm serve --workers 2` when a worker is SIGKILLed:

- the supervisor replaces it: a new worker process appears, the server keeps
  answering, and requests reach the new worker;
- the dead worker's live gauges leave the metrics at once (a stream it held no
  longer counts in `privatellm_streams_in_flight`), while its counters stay
  counted (they are history).

Each test waits on what it looks for (a process, a log line, a scrape) with a
generous deadline; the workers are found as the server process's children in
/proc, and only the server process itself is stopped at the end, by its pid.
"""

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.api.resource_client import sse_events
from tests.api.test_metrics import Samples, logged_pids, scrape, server_env, value
from tests.conftest import ADMIN_SECRET, LiveServer

ADMIN = {"Authorization": f"Bearer {ADMIN_SECRET}"}
DEADLINE_SECONDS = 60
# 100 words 300 ms apart: 30 s of answer, in flight for as long as a test needs.
LONG = "[echo:delay=300] " + " ".join(f"w{i}" for i in range(100))
T = TypeVar("T")


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workers-metrics")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, metrics_dir: Path) -> Iterator[LiveServer]:
    env = server_env(PRIVATELLM_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    with LiveServer(tmp_path_factory.mktemp("workers"), env) as live:
        yield live


def worker_pids(server: LiveServer) -> set[int]:
    """The server's worker processes: its children that run a worker (not multiprocessing's
    resource tracker), alive now."""
    parent = server.process.pid
    found = set()
    for task in Path(f"/proc/{parent}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
                state = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()[0]
            except FileNotFoundError:
                continue
            if b"spawn_main" in command and state != "Z":
                found.add(int(child))
    return found


def wait_for(what: str, check: Callable[[], T | None]) -> T:
    """`check()`'s first truthy result, polled until DEADLINE_SECONDS."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.1)


def answer_until_both_workers_answered(server: LiveServer, workers: set[int]) -> int:
    """Requests (each answered 200) until every one of `workers` has answered one; their count."""
    sent = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        response = httpx.get(server.url + "/v1/models", headers=ADMIN, timeout=15)
        assert response.status_code == 200, response.text
        sent += 1
        if sent % 10 == 0 and workers <= logged_pids(server, "ModelService_ListModels"):
            return sent
        assert time.monotonic() < deadline and sent < 20_000, f"not every worker answered {sent}"


def streams_by_worker(metrics_dir: Path) -> dict[int, float]:
    """privatellm_streams_in_flight as each worker's own file in the metrics directory has it."""
    found = {}
    for path in metrics_dir.glob("gauge_livesum_*.db"):
        pid = int(path.stem.rpartition("_")[2])
        for metric in MultiProcessCollector.merge([str(path)]):  # type: ignore[no-untyped-call]
            for sample in metric.samples:
                if sample.name == "privatellm_streams_in_flight":
                    found[pid] = sample.value
    return found


class Stream(threading.Thread):
    """A long answer read in a thread; `started` at its first delta, `ended` however it ends."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        conversation = httpx.post(url + "/v1/conversations", json={}, headers=ADMIN).json()["id"]
        self.path = f"{url}/v1/conversations/{conversation}/messages:stream"
        self.started = threading.Event()
        self.ended = threading.Event()

    def run(self) -> None:
        try:
            with httpx.stream(
                "POST", self.path, json={"content": LONG}, headers=ADMIN, timeout=60
            ) as response:
                for event, _data in sse_events(response.iter_lines()):
                    if event == "delta":
                        self.started.set()
        except httpx.HTTPError:
            pass  # cut by the kill
        finally:
            self.ended.set()


def two_workers(server: LiveServer) -> set[int]:
    return wait_for("two workers", lambda: w if len(w := worker_pids(server)) == 2 else None)


def test_a_killed_worker_stops_counting_its_streams_but_keeps_its_counts(
    server: LiveServer, metrics_dir: Path
) -> None:
    workers = two_workers(server)
    sent = answer_until_both_workers_answered(server, workers)
    stream = Stream(server.url)
    stream.start()
    assert stream.started.wait(DEADLINE_SECONDS)
    holding = wait_for(
        "one worker holding the stream",
        lambda: [pid for pid, n in streams_by_worker(metrics_dir).items() if n == 1],
    )
    assert len(holding) == 1 and holding[0] in workers, holding
    (victim,) = holding
    before, _ = scrape(server.url)
    assert value(before, "privatellm_streams_in_flight") == 1

    os.kill(victim, signal.SIGKILL)
    assert stream.ended.wait(DEADLINE_SECONDS), "the stream outlived its worker"

    def scraped_without_the_stream() -> Samples | None:
        samples, _ = scrape(server.url)
        return samples if value(samples, "privatellm_streams_in_flight") == 0 else None

    after = wait_for("the dead worker's stream leaving the gauge", scraped_without_the_stream)
    # Every request answered before the kill is still counted, the dead worker's included.
    answered = value(
        after,
        "privatellm_http_requests_total",
        operation="ModelService_ListModels",
        code="0",
        status="200",
    )
    assert answered == sent
    assert victim in logged_pids(server, "ModelService_ListModels")


def test_a_killed_worker_is_replaced(server: LiveServer) -> None:
    workers = two_workers(server)
    # Both serving first (one may be the previous test's replacement, still starting), so
    # the survivor answers while the victim's replacement starts.
    answer_until_both_workers_answered(server, workers)
    victim, survivor = sorted(workers)
    os.kill(victim, signal.SIGKILL)

    def replaced() -> set[int] | None:
        # The server answers all along, from the survivor until the replacement listens.
        response = httpx.get(server.url + "/v1/models", headers=ADMIN, timeout=15)
        assert response.status_code == 200, response.text
        now = worker_pids(server)
        return now - workers if len(now) == 2 else None

    new = wait_for("a replacement worker", replaced)
    assert len(new) == 1, new
    (replacement,) = new
    assert survivor in worker_pids(server)  # the other worker was left alone

    def answered_by_the_replacement() -> bool:
        for _ in range(10):
            response = httpx.get(server.url + "/v1/models", headers=ADMIN, timeout=15)
            assert response.status_code == 200, response.text
        return replacement in logged_pids(server, "ModelService_ListModels")

    wait_for("a request answered by the replacement", answered_by_the_replacement)
