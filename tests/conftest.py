"""Shared test fixtures: a real uvicorn server on a free port, API keys, service checks.

The live server is `python -m server serve` under ENV=test with its own
SQLite file, started once per session and stopped by its pid.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ADMIN_SECRET = "test-admin-secret"  # config/test.yaml bootstrap_admin_key
START_TIMEOUT_SECONDS = 30


def services_required() -> bool:
    """In CI (REQUIRE_SERVICES=1) a missing PostgreSQL/Redis fails the run instead of skipping."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str = "127.0.0.1", port: int | None = None) -> None:
    port = port or {"postgres": 5432, "redis": 6379}[name]
    if reachable(host, port):
        return
    if services_required():
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {host}:{port} is unreachable")
    pytest.skip(f"{name} not reachable on {host}:{port}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """One server process; `url` is its base URL."""

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        env = {
            **os.environ,
            "ENV": "test",
            "PRIVATELLM_PORT": str(self.port),
            "PRIVATELLM_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'test.db'}",
            "PRIVATELLM_LOG_LEVEL": "warning",
            **(extra_env or {}),
        }
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start; log:\n{self.log_path.read_text()[-4000:]}")

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


def admin_client(server: LiveServer) -> httpx.Client:
    """An httpx client on `server` that sends the bootstrap admin key."""
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=15
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def admin_key(live_server: LiveServer) -> str:
    return ADMIN_SECRET


def _create_key(url: str, admin: str, user: str) -> str:
    response = httpx.post(
        url + "/v1/apiKeys",
        json={"user": user, "displayName": f"{user} (tests)"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    secret: str = response.json()["secret"]
    return secret


@pytest.fixture(scope="session")
def user_key(live_url: str, admin_key: str) -> str:
    return _create_key(live_url, admin_key, "alice")


@pytest.fixture(scope="session")
def other_user_key(live_url: str, admin_key: str) -> str:
    return _create_key(live_url, admin_key, "bob")
