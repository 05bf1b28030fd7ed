"""A database that cannot be reached answers UNAVAILABLE (14) with Retry-After, never 500.

Every request needs the database (authentication is a lookup), so an outage
would otherwise be a 500 with code 2 on everything. Connection failures are
recognised by `store.database.is_unavailable` (the settling retries of
domain.durable use the same test). Other database errors (a constraint, a bad statement) stay
unexpected (2): retrying would not help. The pool needs nothing to recover:
a connection found dead is invalidated and the next checkout opens a new one.
"""

import logging

from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from sqlalchemy import exc as sa

from errors import ApiError, Code
from server import metrics
from server import problem_handlers as handlers
from server.context import current_request_id
from server.envelope import envelope_response
from server.state import app_state
from store.database import is_unavailable

log = logging.getLogger("privatellm.database")
RETRY_AFTER_SECONDS = 2
EXCEPTIONS: tuple[type[Exception], ...] = (sa.SQLAlchemyError, OSError)


async def answer(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    if not is_unavailable(error):
        return handlers.unexpected(request, error)
    log.warning("request %s: database unavailable: %s", current_request_id(), type(error).__name__)
    await _discard_connections()
    return envelope_response(
        ApiError(
            Code.UNAVAILABLE,
            "the database is unavailable; retry shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    )


async def _discard_connections() -> None:
    """Drops the idle pooled connections, so none that died with the outage is handed to a
    request once the database is back; then measures the new pools."""
    db = app_state().db
    try:
        await db.discard_connections()
    except Exception:  # closing dead connections may fail too; the pool is replaced anyway
        log.debug("discarding pooled connections failed", exc_info=True)
    for role, engine in db.engines().items():
        metrics.instrument_pool(role, engine)
