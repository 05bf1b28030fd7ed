"""The model catalog as callers see it, and how a model id becomes a callable provider.

Unknown ids: GetModel answers NOT_FOUND (5), the resource the URL names does
not exist. A `model` field naming an unknown model (create/update a
conversation, a per-turn override) answers INVALID_ARGUMENT (3): the request
is wrong, not the URL. A known model that cannot be called now (disabled, or
its provider not configured) answers FAILED_PRECONDITION (9) with the reason.
"""

from dataclasses import dataclass

from domain.deadline import DeadlineProvider
from domain.fallback import FallbackProvider, Route
from domain.observe import GenerationObserver, MeasuredGenerator, NoObserver
from errors import ApiError, Code
from providers.base import Availability, Generator, ModelSpec
from providers.registry import ProviderRegistry


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    spec: ModelSpec
    provider_type: str  # echo | bedrock | openai
    availability: Availability


def entry(registry: ProviderRegistry, spec: ModelSpec) -> CatalogEntry:
    return CatalogEntry(
        spec, registry.provider_type(spec.provider), registry.listed_availability(spec)
    )


def list_models(registry: ProviderRegistry) -> list[CatalogEntry]:
    """Every model, available or not, in configuration order."""
    return [entry(registry, spec) for spec in registry.models()]


def get_model(registry: ProviderRegistry, model_id: str) -> CatalogEntry:
    spec = registry.model(model_id)
    if spec is None:
        raise ApiError(Code.NOT_FOUND, f"model {model_id!r} is not in the catalog")
    return entry(registry, spec)


def require_known(registry: ProviderRegistry, model_id: str) -> ModelSpec:
    """For `model` fields in requests: INVALID_ARGUMENT (3) when the id is not in the catalog.

    Not NOT_FOUND: a 404 on `POST /v1/conversations/{id}/messages` reads as "no
    such conversation" to clients and to schemathesis' stateful checks alike.
    (GET /v1/models/{model} and the OpenAI endpoint, whose clients expect it, say 5.)
    """
    spec = registry.model(model_id)
    if spec is None:
        raise ApiError(
            Code.INVALID_ARGUMENT, f"model {model_id!r} is not in the catalog (see GET /v1/models)"
        )
    if "chat" not in spec.capabilities:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"model {model_id!r} does not chat (its capabilities: "
            f"{', '.join(sorted(spec.capabilities))})",
        )
    return spec


def default_model(registry: ProviderRegistry, configured: str) -> str:
    """The configured default, else the first model of the catalog."""
    if configured:
        return configured
    models = registry.models()
    if not models:
        raise ApiError(Code.FAILED_PRECONDITION, "no model is configured on this server")
    return models[0].id


_UNOBSERVED = NoObserver()


def callable_model(
    registry: ProviderRegistry, spec: ModelSpec, observer: GenerationObserver = _UNOBSERVED
) -> Generator:
    """What to call for `spec`'s answers; FAILED_PRECONDITION (9) with the reason if it cannot be.

    A model with `fallbacks` gets them behind the same interface (domain.fallback),
    and every call is held to the request's deadline (domain.deadline).
    """
    availability = registry.availability(spec)
    if not availability.available:
        raise ApiError(
            Code.FAILED_PRECONDITION,
            f"model {spec.id!r} is not available: {availability.reason or 'no reason given'}",
        )
    generator: Generator = MeasuredGenerator(
        registry.provider(spec.provider), spec.provider, observer
    )
    if spec.fallbacks:
        generator = FallbackProvider(
            generator,
            lambda: fallback_routes(registry, spec, observer),
            on_fallback=observer.fallback,
        )
    # Outermost, so the deadline covers retries and fallbacks too.
    return DeadlineProvider(generator)


def fallback_routes(
    registry: ProviderRegistry, spec: ModelSpec, observer: GenerationObserver = _UNOBSERVED
) -> list[Route]:
    """`spec`'s fallbacks that can be called now, in the configured order (each measured)."""
    routes: list[Route] = []
    for model_id in spec.fallbacks:
        fallback = registry.model(model_id)  # the registry refused unknown ids at start-up
        if fallback is not None and registry.availability(fallback).available:
            provider = registry.provider(fallback.provider)
            routes.append((fallback, MeasuredGenerator(provider, fallback.provider, observer)))
    return routes
