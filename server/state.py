"""The process-wide state handlers reach: settings, database, providers. Set in the app lifespan."""

from dataclasses import dataclass

from domain.admission import LimitGate
from domain.limits import load_config as load_limits_config
from domain.services import Services
from providers.registry import ProviderRegistry
from server.config import Settings
from store.counters import Counters
from store.counters.memory import MemoryCounters
from store.counters.redis import RedisCounters
from store.database import Database


def build_services(settings: Settings, db: Database, providers: ProviderRegistry) -> Services:
    """What the domain needs, from the settings: built once per process (and by the CLI)."""
    timeout = float(settings.generation_timeout_seconds)
    return Services(
        db=db,
        providers=providers,
        default_model=settings.default_model,
        api_key_pepper=settings.api_key_pepper_bytes,
        generation_timeout=timeout,
        limits=build_limit_gate(settings, db, stream_lease_seconds=timeout + 60),
    )


def build_limit_gate(settings: Settings, db: Database, stream_lease_seconds: float) -> LimitGate:
    """The limits of this process: shared Redis counters, or in memory for one process."""
    config = load_limits_config(settings.limits, settings.models, settings.currency)
    counters: Counters
    if config.counters == "redis":
        counters = RedisCounters.connect(
            config.redis_url, config.redis_key_prefix, config.redis_timeout_seconds
        )
    else:
        counters = MemoryCounters()
    return LimitGate(db, counters, config, stream_lease_ms=int(stream_lease_seconds * 1000))


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
