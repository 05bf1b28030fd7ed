"""The generation lock becomes a lease; stored key prefixes are shortened.

- conversations.generation_lease_expires: until when the process writing the
  answer holds the lock; it renews it while it works, and any process finding
  it past settles the answer FAILED and frees the conversation (domain.lease).
  Locks held when this runs get no expiry, which reads as already expired.
- api_keys.prefix keeps the fixed `pllm_` and 4 characters of the random part
  (domain.api_keys.VISIBLE_PREFIX_LENGTH): 12 characters showed too much of a secret.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.tables import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VISIBLE_PREFIX_LENGTH = 9  # a copy: a migration must not change when the code does


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("generation_lease_expires", UtcDateTime(), nullable=True))
        batch.create_index(
            "ix_conversations_generation_lease_expires", ["generation_lease_expires"]
        )
    op.execute(
        sa.text(
            f"UPDATE api_keys SET prefix = substr(prefix, 1, {VISIBLE_PREFIX_LENGTH}) "
            f"WHERE length(prefix) > {VISIBLE_PREFIX_LENGTH}"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_generation_lease_expires")
        batch.drop_column("generation_lease_expires")
