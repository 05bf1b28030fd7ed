"""The process-wide state handlers reach: settings, database, providers. Set in the app lifespan."""

from dataclasses import dataclass

from providers.registry import ProviderRegistry
from server.config import Settings
from store.database import Database


@dataclass
class AppState:
    settings: Settings
    db: Database
    providers: ProviderRegistry
    draining: bool = False


_current: AppState | None = None


def set_app_state(state: AppState | None) -> None:
    global _current
    _current = state


def app_state() -> AppState:
    if _current is None:
        raise RuntimeError("the app is not started: no AppState")
    return _current
