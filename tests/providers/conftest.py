"""Helpers the provider tests share: read a stream whole, or up to its failure."""

import pytest

from errors import ApiError
from providers.base import CompletionRequest, Generator, StreamEvent


async def collect(provider: Generator, req: CompletionRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(req)]


async def stream_until_error(
    provider: Generator, req: CompletionRequest
) -> tuple[list[StreamEvent], ApiError]:
    """The events before the stream failed, and its ApiError (the test fails if none)."""
    seen: list[StreamEvent] = []
    with pytest.raises(ApiError) as caught:
        async for event in provider.stream(req):
            seen.append(event)
    return seen, caught.value
