"""Sign-in lockout per (staff id, address): each failure keeps the address and network it came from (and old
failures of every key are pruned by time).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_failures") as table:
        table.add_column(sa.Column("client_ip", sa.String(45), nullable=True))
        table.add_column(sa.Column("office", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_sign_in_failures_at", "sign_in_failures", ["at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_at", table_name="sign_in_failures")
    with op.batch_alter_table("sign_in_failures") as table:
        table.drop_column("office")
        table.drop_column("client_ip")
