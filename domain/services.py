"""What the domain needs from the running server, gathered in one value the handlers pass in."""

from dataclasses import dataclass, field

from domain.admission import LimitGate
from domain.drain import Drain
from domain.images import ImagePolicy
from domain.key_cache import KeyCache
from domain.lease import LeasePolicy
from domain.observe import GenerationObserver, NoObserver
from domain.turn_contexts import TurnContexts
from domain.usage_batcher import UsageBatcher
from providers.registry import ProviderRegistry
from store.coalescing import Batcher, Coalescer
from store.counters.memory import MemoryCounters
from store.database import Database
from store.records import ConversationRow, MessageRow
from store.turn_writes import Settled, Settlement, Start


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    providers: ProviderRegistry
    # Model of new conversations that name none; the first catalog model when empty.
    default_model: str = ""
    # Server-side secret mixed into API key hashes (HMAC-SHA-256); plain SHA-256 when None.
    api_key_pepper: bytes | None = None
    # The generation lease (`generation_lease_seconds`) and how streamed text is saved.
    lease: LeasePolicy = field(default_factory=LeasePolicy)
    # Seconds a provider may take for one answer; None: the provider's default.
    generation_timeout: float | None = None
    # Verified API keys of this process (None: every request reads the database).
    key_cache: KeyCache | None = None
    # Usage of the OpenAI door, written in batches (None: one transaction per request).
    usage_batcher: UsageBatcher | None = None
    # Where generations are reported (metrics, logs, traces); nowhere by default.
    observer: GenerationObserver = field(default_factory=NoObserver)
    # The streams in flight, which a graceful stop may have to interrupt.
    drain: Drain = field(default_factory=Drain)
    # Limits on the images of chat messages, and which hosts may be fetched.
    images: ImagePolicy = field(default_factory=ImagePolicy)
    # Limits and their counters; none set (and nothing counted) unless configured.
    limits: LimitGate = field(default_factory=lambda: LimitGate(None, MemoryCounters()))
    # First pages of conversation lists, by (user, rows): concurrent ones read in one
    # statement (PostgreSQL; None: each reads its own).
    conversation_pages: Coalescer[tuple[str, int], list[ConversationRow]] | None = None
    # Turns starting (store.turn_writes.start_many: the lock and both messages) and turns
    # settling (settle_many), each kind made as one statement with the others of its kind
    # waiting meanwhile (PostgreSQL; None: each turn writes its own).
    turn_starts: Batcher[Start, tuple[MessageRow, MessageRow] | None] | None = None
    settlements: Batcher[Settlement, Settled] | None = None
    # What this process knows a conversation's next turn would read, having settled its last
    # one (PostgreSQL, with turn_starts: the start checks the etag; None: every turn reads).
    turn_contexts: TurnContexts | None = None
