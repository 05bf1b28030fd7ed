"""One user's capped creations, serialised across processes for the length of a transaction.

A cap such as max_conversations is a count and an insert: two transactions
that count at once could both pass the cap. On PostgreSQL each takes a
transaction-scoped advisory lock named after the user first, so the second
counts after the first has committed; other users are not held up. On SQLite
`BEGIN IMMEDIATE` (store.database) already serialises every writer.
"""

from sqlalchemy import Connection, text

# The first half of the two-part advisory lock key: this lock's namespace (any constant
# no other advisory lock of this database uses).
_NAMESPACE = 7_140_001
_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:user_id))")


def lock_user(connection: Connection, user_id: str) -> None:
    """Held until the unit's transaction ends (call it inside `Database.write`)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"namespace": _NAMESPACE, "user_id": user_id})
