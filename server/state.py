"""The process-wide state handlers reach: settings, database, providers. Set in the app lifespan."""

from dataclasses import dataclass

from domain import api_keys
from domain.admission import LimitGate
from domain.drain import Drain
from domain.images import ImagePolicy
from domain.lease import LeasePolicy
from domain.limits import load_config as load_limits_config
from domain.observe import GenerationObserver, NoObserver
from domain.services import Services
from domain.turn_contexts import TurnContexts
from domain.usage_batcher import UsageBatcher
from providers.registry import ProviderRegistry
from server.config import Settings
from store import conversations as conversations_repo
from store import turn_writes
from store.coalescing import Batcher, Coalescer
from store.counters import Counters
from store.counters.memory import MemoryCounters
from store.counters.redis import RedisCounters
from store.database import Database
from store.records import ConversationRow, MessageRow
from store.turn_writes import Settled, Settlement, Start


def build_services(
    settings: Settings,
    db: Database,
    providers: ProviderRegistry,
    observer: GenerationObserver | None = None,
    drain: Drain | None = None,
) -> Services:
    """What the domain needs, from the settings: built once per process (and by the CLI)."""
    pepper = settings.api_key_pepper_bytes
    timeout = float(settings.generation_timeout_seconds)
    observer = observer or NoObserver()
    return Services(
        db=db,
        providers=providers,
        default_model=settings.default_model,
        api_key_pepper=pepper,
        generation_timeout=timeout,
        key_cache=(
            api_keys.key_cache(db, pepper, float(settings.api_key_cache_seconds))
            if settings.api_key_cache_seconds > 0
            else None
        ),
        usage_batcher=UsageBatcher(db, flush_seconds=float(settings.usage_flush_seconds)),
        observer=observer,
        drain=drain or Drain(),
        images=ImagePolicy.from_config(settings.images),
        limits=build_limit_gate(settings, db, timeout + 60, observer),
        lease=LeasePolicy(seconds=float(settings.generation_lease_seconds)),
        conversation_pages=conversation_pages(db),
        turn_starts=turn_starts(db),
        settlements=settlements(db),
        turn_contexts=turn_contexts(db),
    )


def conversation_pages(db: Database) -> Coalescer[tuple[str, int], list[ConversationRow]] | None:
    """Concurrent first pages of conversation lists as one statement, on PostgreSQL (its
    round trip is about a fifth of a listing's CPU there; SQLite has none, and no LATERAL)."""
    if db.dialect != "postgresql":
        return None
    return Coalescer(lambda requests: db.read(conversations_repo.first_pages, requests))


def turn_starts(db: Database) -> Batcher[Start, tuple[MessageRow, MessageRow] | None] | None:
    """Turns starting meanwhile, their locks and messages stored in one statement, on
    PostgreSQL (store.turn_writes: its round trip is the largest share of a native send's
    CPU there; SQLite writes one turn at a time anyway)."""
    if db.dialect != "postgresql":
        return None
    return Batcher(lambda starts: db.write_statement(turn_writes.start_many, starts))


def turn_contexts(db: Database) -> TurnContexts | None:
    """What this process knows of conversations' next turns (PostgreSQL: there the start
    checks the etag in its one statement, and the read it saves is a round trip)."""
    if db.dialect != "postgresql":
        return None
    return TurnContexts()


def settlements(db: Database) -> Batcher[Settlement, Settled] | None:
    """Turns settling meanwhile, settled in one statement (a group commit), on PostgreSQL."""
    if db.dialect != "postgresql":
        return None
    return Batcher(lambda batch: db.write_statement(turn_writes.settle_many, batch))


def build_limit_gate(
    settings: Settings,
    db: Database,
    stream_lease_seconds: float,
    observer: GenerationObserver | None = None,
) -> LimitGate:
    """The limits of this process: shared Redis counters, or in memory for one process."""
    config = load_limits_config(settings.limits, settings.models, settings.currency)
    counters: Counters
    if config.counters == "redis":
        counters = RedisCounters.connect(
            config.redis_url, config.redis_key_prefix, config.redis_timeout_seconds
        )
    else:
        counters = MemoryCounters()
    return LimitGate(
        db,
        counters,
        config,
        stream_lease_ms=int(stream_lease_seconds * 1000),
        observer=observer or NoObserver(),
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
