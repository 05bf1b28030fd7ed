"""What every handler needs: the caller of the request and the domain's Services."""

from connexion import request

from domain.identity import Caller
from domain.services import Services
from server.context import current_caller
from server.state import app_state


def services() -> Services:
    """Built once at start-up (server.state.build_services), from settings that do not change."""
    return app_state().services


def caller() -> Caller:
    return current_caller()


def user_filter() -> str:
    """The `user` query parameter, read from the request itself.

    Not a handler argument: Connexion passes its security context to handlers
    by name (`user`, `token_info`), which would override a query parameter
    called `user` with the authenticated user.
    """
    return str(request.query_params.get("user", ""))


def path_user() -> str:
    """The `{user}` of the path, read from the request, for the same reason as `user_filter`:
    Connexion's security context, passed as `user`, would replace the path parameter."""
    return str(request.path_params.get("user", ""))
