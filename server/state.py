"""The process-wide state handlers reach: settings, database, providers. Set in the app lifespan."""

from dataclasses import dataclass

from domain.lease import LeasePolicy
from domain.services import Services
from providers.registry import ProviderRegistry
from server.config import Settings
from store.database import Database


def build_services(settings: Settings, db: Database, providers: ProviderRegistry) -> Services:
    """What the domain needs, from the settings: built once per process (and by the CLI)."""
    return Services(
        db=db,
        providers=providers,
        default_model=settings.default_model,
        api_key_pepper=settings.api_key_pepper_bytes,
        generation_timeout=float(settings.generation_timeout_seconds),
        lease=LeasePolicy(seconds=float(settings.generation_lease_seconds)),
    )


@dataclass
class AppState:
    settings: Settings
    services: Services
    draining: bool = False

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
