"""Readiness and the limits' counters: a Redis that cannot be reached fails /readyz when the
limits fail closed (this process would refuse every generation), and is only reported when
they fail open (it still serves)."""

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer, free_port


def _server(tmp_path_factory: pytest.TempPathFactory, when_unavailable: str) -> LiveServer:
    closed_port = free_port()  # nothing listens there
    env = {
        "PRIVATELLM_LIMITS__COUNTERS": "redis",
        "PRIVATELLM_LIMITS__REDIS_URL": f"redis://127.0.0.1:{closed_port}/0",
        "PRIVATELLM_LIMITS__WHEN_UNAVAILABLE": when_unavailable,
    }
    return LiveServer(tmp_path_factory.mktemp(f"ready-{when_unavailable}"), env)


@pytest.fixture
def fail_closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with _server(tmp_path_factory, "closed") as server:
        yield server


@pytest.fixture
def fail_open(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with _server(tmp_path_factory, "open") as server:
        yield server


def test_unreachable_counters_fail_readiness_when_limits_fail_closed(
    fail_closed: LiveServer,
) -> None:
    response = httpx.get(fail_closed.url + "/readyz", timeout=20)
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == 14 and "limits: counters unreachable" in body["message"]
    assert int(response.headers["retry-after"]) > 0


def test_unreachable_counters_are_reported_but_serve_when_limits_fail_open(
    fail_open: LiveServer,
) -> None:
    response = httpx.get(fail_open.url + "/readyz", timeout=20)
    assert response.status_code == 200, response.text
    checks = {check["name"]: check for check in response.json()["checks"]}
    assert checks["database"]["ok"] is True
    assert checks["limits"]["ok"] is False
    assert "counters unreachable" in checks["limits"]["message"]
