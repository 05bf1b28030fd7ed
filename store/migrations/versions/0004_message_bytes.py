"""Message bytes held per user (the max_message_bytes cap) and per conversation.

- user_message_bytes: each user's running total of UTF-8 bytes of message
  content (messages and system prompts), moved by the transactions that store,
  settle and delete, so admission never sums the messages table.
- conversations.content_bytes: the same per conversation, what deleting it frees.

Both are backfilled from the rows already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("content_bytes", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "user_message_bytes",
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("message_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_message_bytes")),
    )
    # Bytes, not characters: octet_length on PostgreSQL, length of the BLOB on SQLite.
    if op.get_bind().dialect.name == "postgresql":
        octets = "octet_length({})"
    else:
        octets = "length(CAST({} AS BLOB))"
    op.execute(
        sa.text(
            "UPDATE conversations SET content_bytes = "
            f"{octets.format('conversations.system_prompt')} + COALESCE(("
            f"SELECT SUM({octets.format('messages.content')}) FROM messages "
            "WHERE messages.conversation_pk = conversations.pk), 0)"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO user_message_bytes (user_id, message_bytes) "
            "SELECT user_id, SUM(content_bytes) FROM conversations GROUP BY user_id"
        )
    )


def downgrade() -> None:
    op.drop_table("user_message_bytes")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("content_bytes")
