"""The provider registry: builds the configured providers and the model catalog once, at start-up.

Config shape (`config/<ENV>.yaml`):

    providers:
      local-echo: {type: echo, delay_seconds: 0}
      bedrock:    {type: bedrock, region: eu-west-1}
      ollama:     {type: openai, base_url: http://127.0.0.1:11434/v1}
    models:
      - id: echo
        provider: local-echo
        context_window: 8192
        max_output_tokens: 1024
        # optional: upstream_model_id (default: id), display_name, description,
        #           enabled (default true), test_model (default: true for echo),
        #           fallbacks, options (provider-specific), capabilities (a list of
        #           chat, embeddings, tools, vision; default: chat and tools, and
        #           vision for echo too)

`type` picks the class. Bedrock and OpenAI-compatible classes are imported
lazily: a deployment without boto3 still starts, and the models of a provider
that cannot be built are listed as unavailable with the reason.
"""

import asyncio
import importlib
import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

from errors import ApiError, Code
from providers.base import (
    Availability,
    Completion,
    CompletionRequest,
    ModelSpec,
    Provider,
    StreamEvent,
)

logger = logging.getLogger(__name__)

# type -> (module, class). Each class is built as `Class(name, config)`.
PROVIDER_TYPES: dict[str, tuple[str, str]] = {
    "echo": ("providers.echo", "EchoProvider"),
    "bedrock": ("providers.bedrock", "BedrockProvider"),
    "openai": ("providers.openai_compat", "OpenAICompatibleProvider"),
}

# How long one background health check of a provider may take.
READY_CHECK_TIMEOUT_SECONDS = 3.0


class UnavailableProvider:
    """Stands in for a provider that could not be built; calls answer FAILED_PRECONDITION (9)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def availability(self, model: ModelSpec) -> Availability:
        return Availability(False, self.reason)

    async def check_ready(self) -> Availability:
        return Availability(False, self.reason)

    async def complete(self, request: CompletionRequest) -> Completion:
        raise self._error()

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        raise self._error()
        yield  # unreachable; makes this an async generator like the real ones

    async def aclose(self) -> None:
        return None

    def _error(self) -> ApiError:
        return ApiError(Code.FAILED_PRECONDITION, f"provider {self.name}: {self.reason}")


def build_provider(name: str, config: Mapping[str, Any]) -> Provider:
    """The provider for one `providers:` entry, or an UnavailableProvider saying why not."""
    kind = str(config.get("type", ""))
    if kind not in PROVIDER_TYPES:
        raise ValueError(
            f"provider {name}: unknown type {kind!r} (expected one of {sorted(PROVIDER_TYPES)})"
        )
    module_name, class_name = PROVIDER_TYPES[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        logger.warning("provider %s (%s) not available: %s", name, kind, exc)
        return UnavailableProvider(name, f"the {kind} provider is not installed ({exc})")
    options = {key: value for key, value in config.items() if key != "type"}
    provider: Provider = getattr(module, class_name)(name, options)
    return provider


def model_spec(entry: Mapping[str, Any], provider_types: Mapping[str, str]) -> ModelSpec:
    """A catalog entry from its config mapping; ValueError names what is wrong."""
    model_id = str(entry.get("id", "")).strip()
    if not model_id:
        raise ValueError(f"model without an id: {dict(entry)}")
    provider = str(entry.get("provider", ""))
    if provider not in provider_types:
        raise ValueError(f"model {model_id}: provider {provider!r} is not configured")
    context_window = int(entry.get("context_window", 0))
    max_output = int(entry.get("max_output_tokens", 0))
    if context_window <= 0 or max_output <= 0 or max_output >= context_window:
        raise ValueError(
            f"model {model_id}: need 0 < max_output_tokens < context_window "
            f"(got {max_output} and {context_window})"
        )
    capabilities = frozenset(
        str(c) for c in entry.get("capabilities") or _default_capabilities(provider_types[provider])
    )
    if not capabilities or not capabilities <= CAPABILITIES:
        raise ValueError(
            f"model {model_id}: capabilities must be some of {sorted(CAPABILITIES)}"
            f" (got {sorted(capabilities)})"
        )
    return ModelSpec(
        id=model_id,
        provider=provider,
        upstream_id=str(entry.get("upstream_model_id") or model_id),
        context_window=context_window,
        max_output_tokens=max_output,
        display_name=str(entry.get("display_name", "") or model_id),
        description=str(entry.get("description", "")),
        enabled=bool(entry.get("enabled", True)),
        test_model=bool(entry.get("test_model", provider_types[provider] == "echo")),
        fallbacks=tuple(str(f) for f in entry.get("fallbacks", ()) or ()),
        options=dict(entry.get("options", {}) or {}),
        capabilities=capabilities,
    )


CAPABILITIES = frozenset({"chat", "embeddings", "tools", "vision"})


def _default_capabilities(provider_type: str) -> tuple[str, ...]:
    return ("chat", "tools", "vision") if provider_type == "echo" else ("chat", "tools")


class ProviderRegistry:
    """The providers by name and the catalog in configuration order."""

    def __init__(
        self,
        providers: Mapping[str, Provider],
        provider_types: Mapping[str, str],
        models: Sequence[ModelSpec],
    ) -> None:
        self._providers = dict(providers)
        self._types = dict(provider_types)
        self._models = list(models)
        self._by_id = {model.id: model for model in models}
        # The background health checks' last word per provider (server.health): (ok, message).
        self._health: dict[str, tuple[bool, str]] = {}
        if len(self._by_id) != len(self._models):
            raise ValueError("two models share an id in the catalog")
        for model in models:
            unknown = [f for f in model.fallbacks if f not in self._by_id or f == model.id]
            if unknown:
                raise ValueError(
                    f"model {model.id}: fallbacks {unknown} are not other models of the catalog"
                )

    @classmethod
    def from_config(
        cls, providers: Mapping[str, Mapping[str, Any]], models: Sequence[Mapping[str, Any]]
    ) -> "ProviderRegistry":
        types = {name: str(config.get("type", "")) for name, config in providers.items()}
        built = {name: build_provider(name, config) for name, config in providers.items()}
        return cls(built, types, [model_spec(entry, types) for entry in models])

    def models(self) -> list[ModelSpec]:
        return list(self._models)

    def model(self, model_id: str) -> ModelSpec | None:
        return self._by_id.get(model_id)

    def provider(self, name: str) -> Provider:
        return self._providers[name]

    def provider_type(self, name: str) -> str:
        """`echo`, `bedrock` or `openai`: the kind of back end, for the catalog."""
        return self._types[name]

    def availability(self, model: ModelSpec) -> Availability:
        if not model.enabled:
            return Availability(False, "disabled by the operator")
        return self._providers[model.provider].availability(model)

    def listed_availability(self, model: ModelSpec) -> Availability:
        """`availability`, and unavailable while the provider's last health check failed."""
        availability = self.availability(model)
        ok, message = self._health.get(model.provider, (True, ""))
        if availability.available and not ok:
            return Availability(False, f"provider {model.provider} is unreachable: {message}")
        return availability

    def record_health(self, name: str, ok: bool, message: str) -> None:
        self._health[name] = (ok, message)

    def health(self) -> list[tuple[str, bool, str]]:
        """(`provider:<name>`, ok, message) per provider, as last checked (not yet: ok)."""
        return [
            (f"provider:{name}", *self._health.get(name, (True, "not checked yet")))
            for name in self._providers
        ]

    async def check_ready(self) -> list[tuple[str, bool, str]]:
        """(`provider:<name>`, ok, message) per provider, checked concurrently.

        A provider that serves no enabled model, or is not configured (e.g. no
        AWS credentials on a laptop), is reported as skipped rather than failed:
        readiness is about what this deployment is meant to serve.
        """
        names = list(self._providers)
        results = await asyncio.gather(*(self._check(name) for name in names))
        return [
            (f"provider:{name}", ok, message)
            for name, (ok, message) in zip(names, results, strict=True)
        ]

    async def _check(self, name: str) -> tuple[bool, str]:
        provider = self._providers[name]
        served = [m for m in self._models if m.provider == name and m.enabled]
        if not served:
            return True, "skipped: serves no enabled model"
        configured = [provider.availability(m) for m in served]
        if not any(a.available for a in configured):
            return True, f"skipped: not configured ({configured[0].reason})"
        try:
            async with asyncio.timeout(READY_CHECK_TIMEOUT_SECONDS):
                result = await provider.check_ready()
        except TimeoutError:
            return False, f"no answer within {READY_CHECK_TIMEOUT_SECONDS:g}s"
        except Exception as exc:  # a readiness probe reports, it does not crash
            return False, f"{type(exc).__name__}: {exc}"
        return result.available, result.reason

    async def aclose(self) -> None:
        for name, provider in self._providers.items():
            try:
                await provider.aclose()
            except Exception:  # shutting down: log and go on with the others
                logger.exception("closing provider %s failed", name)
