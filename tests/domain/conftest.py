from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest

from domain.identity import Caller
from domain.services import Services
from errors import ApiError
from providers.registry import ProviderRegistry
from server.state import settlements, turn_contexts, turn_starts
from store.database import Database
from tests.store.db_fixtures import db, db_url, echo_catalog, postgres_url

__all__ = ["db", "db_url", "postgres_url"]

ALICE = Caller(user_id="alice", role="user", key_id="k-alice")
BOB = Caller(user_id="bob", role="user", key_id="k-bob")
ROOT = Caller(user_id="root", role="admin", key_id="k-root")


@pytest.fixture
async def svc(db: Database) -> AsyncIterator[Services]:
    providers, models = echo_catalog()
    registry = ProviderRegistry.from_config(providers, models)
    # Turns batched, and their contexts kept, on PostgreSQL as a server does (server.state).
    yield Services(
        db=db,
        providers=registry,
        default_model="echo",
        turn_starts=turn_starts(db),
        settlements=settlements(db),
        turn_contexts=turn_contexts(db),
    )
    await registry.aclose()


async def api_error(awaitable: Awaitable[Any]) -> ApiError:
    """The ApiError `awaitable` raises; the test fails if it raises none."""
    with pytest.raises(ApiError) as caught:
        await awaitable
    return caught.value
