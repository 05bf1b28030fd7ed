"""A Redis of the tests' own (started on a free port, stopped by its pid), and the counters to test.

Each test gets fresh key prefixes, so nothing it counts is seen by another; the
shared Redis of the machine is never touched.
"""

import secrets
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import redis

from store.counters import Counters
from store.counters.memory import MemoryCounters
from store.counters.redis import RedisCounters
from tests.conftest import free_port, services_required

START_SECONDS = 10


class RedisProcess:
    """`redis-server --port <free> --save ''`: startable, stoppable and restartable on one port."""

    def __init__(self, password: str | None = None) -> None:
        self.port = free_port()
        self.password = password
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        auth = ["--requirepass", self.password] if self.password else []
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *auth],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, password=self.password, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is not installed (REQUIRE_SERVICES=1)")
        pytest.skip("redis-server is not installed")
    server = RedisProcess()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[Counters]:
    if request.param == "memory":
        yield MemoryCounters()
        return
    server: RedisProcess = request.getfixturevalue("redis_server")
    store = RedisCounters.connect(server.url, f"t{secrets.token_hex(4)}:")
    yield store
    await store.aclose()
