"""HealthService: liveness (no dependencies touched) and readiness (can this process serve?).

Readiness fails on what makes this process unable to serve: its database, or
a graceful stop in progress. Providers are listed as their background health
checks last saw them (server.health) and never fail it: an upstream that is
down for one process is down for all of them.
"""

import asyncio
from typing import Any

from errors import ApiError, Code
from handlers.api_types import HealthCheck, HealthStatus
from server.state import app_state

DATABASE_CHECK_TIMEOUT_SECONDS = 3.0


async def get_liveness() -> HealthStatus:
    return HealthStatus(status="SERVING", checks=[])


async def get_readiness() -> HealthStatus:
    state = app_state()
    required = [await _database(state.db)]
    if state.services.drain.draining:
        required.append(("server", False, "draining: shutting down"))
    failed = [f"{name}: {message or 'failed'}" for name, ok, message in required if not ok]
    if failed:
        raise ApiError(
            Code.UNAVAILABLE, "NOT_SERVING: " + "; ".join(failed), headers={"Retry-After": "1"}
        )
    checks = [*required, *state.providers.health()]
    return HealthStatus(
        status="SERVING",
        checks=[HealthCheck(name=name, ok=ok, message=message) for name, ok, message in checks],
    )


async def _database(db: Any) -> tuple[str, bool, str]:
    try:
        async with asyncio.timeout(DATABASE_CHECK_TIMEOUT_SECONDS):
            await db.ping()
    except TimeoutError:
        return "database", False, f"no answer within {DATABASE_CHECK_TIMEOUT_SECONDS:g}s"
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        return "database", False, f"{type(exc).__name__}: {exc}"
    return "database", True, ""
