"""The process-wide state handlers reach: settings, database, providers. Set in the app lifespan."""

from dataclasses import dataclass

from domain import api_keys
from domain.drain import Drain
from domain.images import ImagePolicy
from domain.observe import GenerationObserver, NoObserver
from domain.services import Services
from domain.usage_batcher import UsageBatcher
from providers.registry import ProviderRegistry
from server.config import Settings
from store.database import Database


def build_services(
    settings: Settings,
    db: Database,
    providers: ProviderRegistry,
    observer: GenerationObserver | None = None,
    drain: Drain | None = None,
) -> Services:
    """What the domain needs, from the settings: built once per process (and by the CLI)."""
    pepper = settings.api_key_pepper_bytes
    return Services(
        db=db,
        providers=providers,
        default_model=settings.default_model,
        api_key_pepper=pepper,
        generation_timeout=float(settings.generation_timeout_seconds),
        key_cache=(
            api_keys.key_cache(db, pepper, float(settings.api_key_cache_seconds))
            if settings.api_key_cache_seconds > 0
            else None
        ),
        usage_batcher=UsageBatcher(db, flush_seconds=float(settings.usage_flush_seconds)),
        observer=observer or NoObserver(),
        drain=drain or Drain(),
        images=ImagePolicy.from_config(settings.images),
    )


@dataclass
class AppState:
    settings: Settings
    services: Services

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def providers(self) -> ProviderRegistry:
        return self.services.providers


_current: AppState | None = None


def set_app_state(state: AppState | None) -> None:
    global _current
    _current = state


def app_state() -> AppState:
    if _current is None:
        raise RuntimeError("the app is not started: no AppState")
    return _current
