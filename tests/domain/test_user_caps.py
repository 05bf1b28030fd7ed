"""A user's caps on what it holds (max_conversations, max_api_keys) hold exactly when its
creations race: on PostgreSQL they run on separate connections at once, and the count
before each insert is serialised per user (store.user_lock)."""

import asyncio
import dataclasses

from domain import api_keys
from domain import conversations as conv
from domain.admission import LimitGate
from domain.conversations import ConversationFields
from domain.limits import Limits, LimitsConfig
from domain.services import Services
from errors import ApiError, Code
from store.counters.memory import MemoryCounters
from tests.domain.conftest import ALICE, BOB

CONCURRENT = 20


def capped(svc: Services, **caps: int) -> Services:
    config = LimitsConfig(roles={"user": Limits(**caps)})  # type: ignore[arg-type]
    return dataclasses.replace(svc, limits=LimitGate(svc.db, MemoryCounters(), config))


async def outcomes(attempts: list[asyncio.Future[object]]) -> list[str]:
    results = await asyncio.gather(*attempts, return_exceptions=True)
    names = []
    for result in results:
        if isinstance(result, ApiError):
            names.append(result.code.name)
        elif isinstance(result, BaseException):
            raise result
        else:
            names.append("OK")
    return names


async def test_concurrent_creations_stop_exactly_at_max_conversations(svc: Services) -> None:
    svc = capped(svc, max_conversations=5)
    attempts = [
        asyncio.ensure_future(conv.create_conversation(svc, ALICE, ConversationFields()))
        for _ in range(CONCURRENT)
    ]
    results = await outcomes(attempts)  # type: ignore[arg-type]
    assert results.count("OK") == 5
    assert set(results) == {"OK", Code.RESOURCE_EXHAUSTED.name}
    held = await conv.list_conversations(svc, ALICE, size=100)
    assert len(held.items) == 5
    # Another user's creations are not held up by, nor counted against, Alice's cap.
    assert (await conv.create_conversation(svc, BOB, ConversationFields())).user_id == "bob"


async def test_concurrent_keys_stop_exactly_at_max_api_keys(svc: Services) -> None:
    svc = capped(svc, max_api_keys=3)
    attempts = [
        asyncio.ensure_future(api_keys.create_api_key(svc, ALICE)) for _ in range(CONCURRENT)
    ]
    results = await outcomes(attempts)  # type: ignore[arg-type]
    assert results.count("OK") == 3
    assert set(results) == {"OK", Code.RESOURCE_EXHAUSTED.name}
    listed = await api_keys.list_api_keys(svc, ALICE, size=100)
    assert len(listed.items) == 3
