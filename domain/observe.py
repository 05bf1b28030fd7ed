"""What the domain reports about generations (latency, first token, tokens, errors, fallbacks).

The domain only calls a `GenerationObserver`; the server supplies one that
feeds Prometheus, the request's log line and its trace (server.telemetry).
`MeasuredGenerator` wraps each upstream route (a model's own provider and
each fallback), so every attempt is measured under the model that made it.
"""

import time
from collections.abc import AsyncGenerator
from typing import Protocol

from errors import ApiError, Code
from providers.base import (
    Completion,
    CompletionRequest,
    Generator,
    StreamEnd,
    StreamEvent,
    TextDelta,
)


class GenerationObserver(Protocol):
    def upstream_finished(
        self, model: str, provider: str, seconds: float, error: Code | None
    ) -> None: ...

    def first_token(self, model: str, provider: str, seconds: float) -> None: ...

    def tokens(self, model: str, tokens_in: int, tokens_out: int) -> None: ...

    def fallback(self, model: str, fallback: str) -> None: ...


class NoObserver:
    """The default (CLI, domain tests): reports go nowhere."""

    def upstream_finished(
        self, model: str, provider: str, seconds: float, error: Code | None
    ) -> None:
        return None

    def first_token(self, model: str, provider: str, seconds: float) -> None:
        return None

    def tokens(self, model: str, tokens_in: int, tokens_out: int) -> None:
        return None

    def fallback(self, model: str, fallback: str) -> None:
        return None


class MeasuredGenerator:
    """One upstream route, timed: the whole call, the first text, the usage, the failure code."""

    def __init__(self, inner: Generator, provider: str, observer: GenerationObserver) -> None:
        self._inner = inner
        self._provider = provider
        self._observer = observer

    async def complete(self, request: CompletionRequest) -> Completion:
        model = request.model.id
        started = time.perf_counter()
        try:
            completion = await self._inner.complete(request)
        except ApiError as error:
            self._finished(model, started, error.code)
            raise
        self._finished(model, started, None)
        self._observer.tokens(model, completion.usage.input_tokens, completion.usage.output_tokens)
        return completion

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        model = request.model.id
        started = time.perf_counter()
        first = True
        events = self._inner.stream(request)
        try:
            async for event in events:
                if isinstance(event, TextDelta):
                    if first and event.text:
                        first = False
                        self._observer.first_token(
                            model, self._provider, time.perf_counter() - started
                        )
                elif isinstance(event, StreamEnd):
                    self._finished(model, started, None)
                    usage = event.usage
                    self._observer.tokens(model, usage.input_tokens, usage.output_tokens)
                yield event
        except ApiError as error:
            self._finished(model, started, error.code)
            raise
        finally:
            await events.aclose()

    def _finished(self, model: str, started: float, error: Code | None) -> None:
        seconds = time.perf_counter() - started
        self._observer.upstream_finished(model, self._provider, seconds, error)
