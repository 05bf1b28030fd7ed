"""Who is calling: the user and role an API key acts as."""

from dataclasses import dataclass
from typing import Literal

Role = Literal["user", "admin"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated identity of a request (set by the bearer auth hook)."""

    user_id: str
    role: Role
    key_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
