"""What the domain reports about generations (latency, first token, tokens, errors, fallbacks).

The domain only calls a `GenerationObserver`; the server supplies one that
feeds Prometheus, the request's log line and its trace (server.telemetry).
`MeasuredGenerator` wraps each upstream route (a model's own provider and
each fallback), so every attempt is measured under the model that made it.
"""

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol

from errors import ApiError, Code
from providers.base import (
    Completion,
    CompletionRequest,
    Generator,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Usage,
)


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    """One finished upstream call, as measured around it."""

    model: str
    provider: str
    seconds: float  # the whole call, retries included, until its last event
    first_token_seconds: float | None = None  # streams that produced text
    usage: Usage | None = None  # what the upstream reported, when it finished
    error: Code | None = None  # the code it failed with


class GenerationObserver(Protocol):
    def upstream_finished(self, call: UpstreamCall) -> None: ...

    def fallback(self, model: str, fallback: str) -> None: ...

    def limit_refused(self, limit: str) -> None: ...


class NoObserver:
    """The default (CLI, domain tests): reports go nowhere."""

    def upstream_finished(self, call: UpstreamCall) -> None:
        return None

    def fallback(self, model: str, fallback: str) -> None:
        return None

    def limit_refused(self, limit: str) -> None:
        return None


class MeasuredGenerator:
    """One upstream route, timed: the whole call, the first text, the usage, the failure code."""

    def __init__(self, inner: Generator, provider: str, observer: GenerationObserver) -> None:
        self._inner = inner
        self._provider = provider
        self._observer = observer

    async def complete(self, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        try:
            completion = await self._inner.complete(request)
        except ApiError as error:
            self._finished(request, started, error=error.code)
            raise
        self._finished(request, started, usage=completion.usage)
        return completion

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        started = time.perf_counter()
        first: float | None = None
        events = self._inner.stream(request)
        try:
            async for event in events:
                if isinstance(event, TextDelta):
                    if first is None and event.text:
                        first = time.perf_counter() - started
                elif isinstance(event, StreamEnd):
                    self._finished(request, started, first, usage=event.usage)
                yield event
        except ApiError as error:
            self._finished(request, started, first, error=error.code)
            raise
        finally:
            await events.aclose()

    def _finished(
        self,
        request: CompletionRequest,
        started: float,
        first_token: float | None = None,
        *,
        usage: Usage | None = None,
        error: Code | None = None,
    ) -> None:
        seconds = time.perf_counter() - started
        call = UpstreamCall(request.model.id, self._provider, seconds, first_token, usage, error)
        self._observer.upstream_finished(call)
