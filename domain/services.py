"""What the domain needs from the running server, gathered in one value the handlers pass in."""

from dataclasses import dataclass, field

from domain.lease import LeasePolicy
from providers.registry import ProviderRegistry
from store.database import Database


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
