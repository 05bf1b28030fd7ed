"""HealthService over HTTP: no key needed; readiness lists its checks."""

import httpx


def test_liveness_without_a_key(live_url: str) -> None:
    response = httpx.get(live_url + "/healthz")
    assert response.status_code == 200 and response.json()["status"] == "SERVING"


def test_readiness_checks_the_database_and_providers(live_url: str) -> None:
    response = httpx.get(live_url + "/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "SERVING"
    checks = {c["name"]: c for c in body["checks"]}
    assert checks["database"]["ok"] is True
    assert any(name.startswith("provider:") for name in checks)
    assert all(c["ok"] for c in body["checks"])
