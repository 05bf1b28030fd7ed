"""HealthService: liveness (no dependencies touched) and readiness (can this process serve?).

Readiness fails on what makes this process unable to serve: its database, or
a graceful stop in progress. Providers are listed as their background health
checks last saw them (server.health) and never fail it: an upstream that is
down for one process is down for all of them.
"""

import asyncio
from typing import Any

from domain.admission import LimitGate
from errors import ApiError, Code
from handlers.api_types import HealthCheck, HealthStatus
from server.state import app_state
from store.counters import CountersUnavailable

DATABASE_CHECK_TIMEOUT_SECONDS = 3.0


async def get_liveness() -> HealthStatus:
    return HealthStatus(status="SERVING", checks=[])


async def get_readiness() -> HealthStatus:
    state = app_state()
    required = [await _database(state.db)]
    reported = [*state.providers.health()]  # shown, never failing readiness
    limits = await _limit_counters(state.services.limits)
    if limits is not None:
        # Fail-open limits admit without their counters: this process can still serve.
        fail_open = state.services.limits.config.when_unavailable == "open"
        (reported if fail_open else required).append(limits)
    if state.services.drain.draining:
        required.append(("server", False, "draining: shutting down"))
    failed = [f"{name}: {message or 'failed'}" for name, ok, message in required if not ok]
    if failed:
        raise ApiError(
            Code.UNAVAILABLE, "NOT_SERVING: " + "; ".join(failed), headers={"Retry-After": "1"}
        )
    return HealthStatus(
        status="SERVING",
        checks=[
            HealthCheck(name=name, ok=ok, message=message)
            for name, ok, message in [*required, *reported]
        ],
    )


async def _limit_counters(gate: LimitGate) -> tuple[str, bool, str] | None:
    """The limits' shared counters (Redis), when the limits count there; None in memory."""
    if gate.config.counters != "redis":
        return None
    try:
        async with asyncio.timeout(DATABASE_CHECK_TIMEOUT_SECONDS):
            await gate.counters.ping()
    except TimeoutError:
        return "limits", False, f"no answer within {DATABASE_CHECK_TIMEOUT_SECONDS:g}s"
    except CountersUnavailable as exc:
        return "limits", False, f"counters unreachable: {exc}"
    return "limits", True, ""


async def _database(db: Any) -> tuple[str, bool, str]:
    try:
        async with asyncio.timeout(DATABASE_CHECK_TIMEOUT_SECONDS):
            await db.ping()
    except TimeoutError:
        return "database", False, f"no answer within {DATABASE_CHECK_TIMEOUT_SECONDS:g}s"
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        return "database", False, f"{type(exc).__name__}: {exc}"
    return "database", True, ""
