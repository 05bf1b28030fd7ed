"""HealthService: liveness (no dependencies touched) and readiness (database + providers)."""

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
    checks = [await _database(state.db), *await state.providers.check_ready()]
    if state.draining:
        checks.append(("server", False, "draining: shutting down"))
    failed = [f"{name}: {message or 'failed'}" for name, ok, message in checks if not ok]
    if failed:
        raise ApiError(Code.UNAVAILABLE, "NOT_SERVING: " + "; ".join(failed))
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
