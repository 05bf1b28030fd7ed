"""Per-model fallbacks: when a model's upstream is down or out of quota, ask the next one.

A catalog entry may list `fallbacks:` (model ids). `domain.catalog.callable_model`
wraps such a model's provider in a `FallbackProvider`, so conversations and
the OpenAI-compatible endpoint fall back the same way:

- only on UNAVAILABLE (14: throttled after retries, down, unreachable) and
  RESOURCE_EXHAUSTED (8: the upstream account's quota for that model, which
  another model does not share); any other error (bad request, context too
  long, credentials, deadline) is the answer's, and another model would not
  fix it;
- only before the first piece of text: a stream that already produced text is
  never replayed from a different model;
- only to fallbacks that are in the catalog, enabled, available now, and whose
  context window holds the prompt; max_tokens is lowered to the fallback's
  own limit when it is smaller;
- the completion says which model answered (`answered_by`), so the stored
  message and the usage row name the model that did the work.

Each fallback is tried once, in the listed order; the last error is raised.
"""

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing

from domain.prompt import estimate_tokens, message_tokens
from errors import ApiError, Code
from providers.base import (
    Availability,
    Completion,
    CompletionRequest,
    ModelSpec,
    Provider,
    StreamEnd,
    StreamEvent,
    TextDelta,
)

logger = logging.getLogger(__name__)

# The upstream failures another model may not have.
FALLS_BACK = frozenset({Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED})

# A route: a model and the provider that serves it.
Route = tuple[ModelSpec, Provider]


def prompt_tokens(request: CompletionRequest) -> int:
    return estimate_tokens(request.system or "") + sum(
        message_tokens(m.content) for m in request.messages
    )


def for_model(request: CompletionRequest, model: ModelSpec) -> CompletionRequest | None:
    """`request` sent to `model` instead, or None when it does not fit that model."""
    wanted = request.params.max_tokens or model.max_output_tokens
    max_tokens = min(wanted, model.max_output_tokens)
    if prompt_tokens(request) + max_tokens > model.context_window:
        return None
    params = dataclasses.replace(request.params, max_tokens=max_tokens)
    return dataclasses.replace(request, model=model, params=params)


class FallbackProvider:
    """The primary model's provider, then its fallbacks, as one `Provider`."""

    def __init__(self, primary: Route, fallbacks: Callable[[], Sequence[Route]]) -> None:
        self.name = primary[1].name
        self._primary = primary
        # Resolved per call: availability (credentials, enabled) can change at run time.
        self._fallbacks = fallbacks

    def availability(self, model: ModelSpec) -> Availability:
        return self._primary[1].availability(model)

    async def check_ready(self) -> Availability:
        return await self._primary[1].check_ready()

    async def aclose(self) -> None:
        return None  # the registry owns and closes the real providers

    def _attempts(self, request: CompletionRequest) -> list[tuple[Provider, CompletionRequest]]:
        attempts = [(self._primary[1], request)]
        for model, provider in self._fallbacks():
            moved = for_model(request, model)
            if moved is None:
                logger.info("fallback %s skipped: the prompt does not fit it", model.id)
                continue
            attempts.append((provider, moved))
        return attempts

    async def complete(self, request: CompletionRequest) -> Completion:
        attempts = self._attempts(request)
        for number, (provider, attempt) in enumerate(attempts, start=1):
            try:
                completion = await provider.complete(attempt)
            except ApiError as error:
                if error.code not in FALLS_BACK or number == len(attempts):
                    raise
                _log_fallback(attempt.model, attempts[number][1].model, error)
                continue
            return dataclasses.replace(completion, answered_by=attempt.model.id)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        attempts = self._attempts(request)
        for number, (provider, attempt) in enumerate(attempts, start=1):
            started = False
            try:
                async with aclosing(provider.stream(attempt)) as events:  # type: ignore[type-var]
                    async for event in events:
                        if isinstance(event, TextDelta):
                            started = started or bool(event.text)
                            yield event
                        elif isinstance(event, StreamEnd):
                            yield dataclasses.replace(event, answered_by=attempt.model.id)
                return
            except ApiError as error:
                if started or error.code not in FALLS_BACK or number == len(attempts):
                    raise
                _log_fallback(attempt.model, attempts[number][1].model, error)


def _log_fallback(failed: ModelSpec, next_model: ModelSpec, error: ApiError) -> None:
    logger.warning(
        "model %s failed (%s); falling back to %s", failed.id, error.message, next_model.id
    )
