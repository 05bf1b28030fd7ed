"""Writes that must not be lost to a database blip: retried with backoff, within a bound.

Settling an answer (its outcome, its usage, the lock released) is such a
write. A dropped connection or a database restarting fails an attempt; the
pool hands the next one a fresh connection. Past the bound the write gives
up with UNAVAILABLE (14): the answer's lease then runs out, and the sweep
(domain.sweep) settles it FAILED with the text saved so far.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from errors import ApiError, Code
from store.database import is_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 2.0


def database_unavailable() -> ApiError:
    return ApiError(Code.UNAVAILABLE, "the database is unavailable; try again shortly")


async def retried(write: Callable[[], Awaitable[T]], *, within_seconds: float, what: str) -> T:
    """`await write()`, tried again while the database is unavailable, for `within_seconds`.

    Other errors are raised at once. Backoff doubles from 50 ms up to 2 s, with jitter.
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + within_seconds
    backoff = FIRST_BACKOFF_SECONDS
    attempt = 1
    while True:
        try:
            return await write()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            wait = random.uniform(backoff / 2, backoff)
            if loop.time() + wait > give_up_at:
                logger.error("%s: gave up after %d attempts: %s", what, attempt, exc)
                raise database_unavailable() from exc
            logger.warning("%s: attempt %d failed (%s); retrying", what, attempt, exc)
        await asyncio.sleep(wait)
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        attempt += 1
