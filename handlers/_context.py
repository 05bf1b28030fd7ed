"""What every handler needs: the caller of the request and the domain's Services.

Built from the process-wide AppState on each call: a handful of attribute
reads, no I/O, so nothing is cached that could go stale.
"""

from typing import Any

from connexion import request

from domain.identity import Caller
from domain.services import Services
from server.context import current_caller
from server.state import app_state


def services() -> Services:
    state = app_state()
    settings = state.settings
    return Services(
        db=state.db,
        providers=state.providers,
        default_model=str(getattr(settings, "default_model", "") or ""),
        api_key_pepper=api_key_pepper(settings),
        generation_timeout=float(settings.generation_timeout_seconds),
    )


def caller() -> Caller:
    return current_caller()


def user_filter() -> str:
    """The `user` query parameter, read from the request itself.

    Not a handler argument: Connexion passes its security context to handlers
    by name (`user`, `token_info`), which would override a query parameter
    called `user` with the authenticated user.
    """
    return str(request.query_params.get("user", ""))


def api_key_pepper(settings: Any) -> bytes | None:
    """The optional server-side secret mixed into API key hashes (`api_key_pepper` setting)."""
    pepper = getattr(settings, "api_key_pepper", None)
    if not pepper:
        return None
    return pepper.encode("utf-8") if isinstance(pepper, str) else bytes(pepper)
