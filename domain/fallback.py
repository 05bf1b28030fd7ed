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
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from contextlib import aclosing

from domain.prompt import prompt_tokens
from errors import ApiError, Code
from providers.base import (
    Completion,
    CompletionRequest,
    Generator,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
)

logger = logging.getLogger(__name__)

# The upstream failures another model may not have.
FALLS_BACK = frozenset({Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED})

# A route: a model and what answers for it.
Route = tuple[ModelSpec, Generator]


def for_model(
    request: CompletionRequest, model: ModelSpec, prompt_size: int
) -> CompletionRequest | None:
    """`request` sent to `model` instead, or None when its prompt (`prompt_size` tokens)
    and answer do not fit that model."""
    wanted = request.params.max_tokens or model.max_output_tokens
    max_tokens = min(wanted, model.max_output_tokens)
    if prompt_size + max_tokens > model.context_window:
        return None
    params = dataclasses.replace(request.params, max_tokens=max_tokens)
    return dataclasses.replace(request, model=model, params=params)


class FallbackProvider:
    """A model's provider, then its fallbacks, as one `Generator`."""

    def __init__(
        self,
        primary: Generator,
        fallbacks: Callable[[], Sequence[Route]],
        on_fallback: Callable[[str, str], None] | None = None,
    ) -> None:
        self._primary = primary
        self._on_fallback = on_fallback  # (model, fallback): for metrics
        # Looked up only once the primary has failed: most calls never need them,
        # and availability (credentials, enabled) can change while the server runs.
        self._fallbacks = fallbacks

    def _attempts(
        self, request: CompletionRequest
    ) -> Iterator[tuple[Generator, CompletionRequest]]:
        """The primary, then each fallback that fits `request`; lazily, in order."""
        yield self._primary, request
        size = prompt_tokens(request.system, request.messages)
        for model, provider in self._fallbacks():
            moved = for_model(request, model, size)
            if moved is None:
                logger.info("fallback %s skipped: the prompt does not fit it", model.id)
                continue
            yield provider, moved

    async def complete(self, request: CompletionRequest) -> Completion:
        failure: tuple[ModelSpec, ApiError] | None = None
        for provider, attempt in self._attempts(request):
            if failure is not None:
                self._taken(*failure, attempt.model)
            try:
                completion = await provider.complete(attempt)
            except ApiError as error:
                if error.code not in FALLS_BACK:
                    raise
                failure = (attempt.model, error)
                continue
            return dataclasses.replace(completion, answered_by=attempt.model.id)
        assert failure is not None  # the primary is always attempted
        raise failure[1]

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        failure: tuple[ModelSpec, ApiError] | None = None
        for provider, attempt in self._attempts(request):
            if failure is not None:
                self._taken(*failure, attempt.model)
            started = False
            try:
                async with aclosing(provider.stream(attempt)) as events:
                    async for event in events:
                        if isinstance(event, StreamEnd):
                            yield dataclasses.replace(event, answered_by=attempt.model.id)
                        else:
                            started = (
                                started or not isinstance(event, TextDelta) or bool(event.text)
                            )
                            yield event
                return
            except ApiError as error:
                if started or error.code not in FALLS_BACK:
                    raise
                failure = (attempt.model, error)
        assert failure is not None  # the primary is always attempted
        raise failure[1]

    def _taken(self, failed: ModelSpec, error: ApiError, next_model: ModelSpec) -> None:
        logger.warning(
            "model %s failed (%s); falling back to %s", failed.id, error.message, next_model.id
        )
        if self._on_fallback is not None:
            self._on_fallback(failed.id, next_model.id)
