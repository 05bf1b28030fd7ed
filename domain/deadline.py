"""The per-request deadline: one answer may take `CompletionRequest.timeout` seconds, all in.

Providers use the timeout for their own network calls too, but those bound
one read or one attempt; retries, backoff, fallbacks and a model that keeps
trickling tokens could still run far past it. This wrapper holds the whole
call to the deadline and answers DEADLINE_EXCEEDED (4) when it passes. The
provider's call is cancelled (for a stream, its generator is closed), which
drops the upstream connection: nothing keeps generating for nobody.
"""

import asyncio
from collections.abc import AsyncGenerator

from errors import ApiError, Code
from providers.base import Completion, CompletionRequest, Generator, StreamEvent


def deadline_error(seconds: float) -> ApiError:
    return ApiError(
        Code.DEADLINE_EXCEEDED,
        f"the model did not finish its answer within {seconds:g} s (generation_timeout_seconds)",
    )


class DeadlineProvider:
    """`inner` with every call bounded by its request's `timeout` (None: unbounded)."""

    def __init__(self, inner: Generator) -> None:
        self._inner = inner

    async def complete(self, request: CompletionRequest) -> Completion:
        if request.timeout is None:
            return await self._inner.complete(request)
        try:
            async with asyncio.timeout(request.timeout):
                return await self._inner.complete(request)
        except TimeoutError:
            raise deadline_error(request.timeout) from None

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        events = self._inner.stream(request)
        loop = asyncio.get_running_loop()
        deadline = None if request.timeout is None else loop.time() + request.timeout
        try:
            while True:
                try:
                    if deadline is None:
                        event = await anext(events)
                    else:
                        # Each wait gets what is left of the whole answer's time.
                        async with asyncio.timeout_at(deadline):
                            event = await anext(events)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    assert request.timeout is not None
                    raise deadline_error(request.timeout) from None
                yield event
        finally:
            await events.aclose()
