"""Limits and cost: a key's limits and etag, per-user limits, the cost of usage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.tables import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("limits", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("etag", sa.String(length=32), nullable=False, server_default=""))
    op.create_table(
        "user_limits",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=True),
        sa.Column("etag", sa.String(length=32), nullable=False),
        sa.Column("update_time", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_limits")),
    )
    with op.batch_alter_table("usage_daily") as batch:
        batch.add_column(
            sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_daily") as batch:
        batch.drop_column("cost_micros")
    op.drop_table("user_limits")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("etag")
        batch.drop_column("limits")
