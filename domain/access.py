"""Who may read whose rows, for the operations that take a `user` filter."""

from domain.identity import Caller
from errors import ApiError, Code


def readable_owner(caller: Caller, user: str, *, what: str) -> str | None:
    """The user whose rows to show (None: everyone's, `*`). Others' rows need an admin (7)."""
    if user in ("", caller.user_id):
        return caller.user_id
    if not caller.is_admin:
        raise ApiError(
            Code.PERMISSION_DENIED, f"only an admin can read other users' {what} (user={user!r})"
        )
    return None if user == "*" else user
