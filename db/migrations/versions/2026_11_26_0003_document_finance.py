"""Documents carry their budget line and the state of its reservation / commitment in 財務会計.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("finance_state", sa.String(length=20), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("reservation_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("reserved_yen", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("budget_fiscal_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("voucher_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("finance_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for column in (
            "finance_error",
            "voucher_id",
            "budget_fiscal_year",
            "reserved_yen",
            "reservation_id",
            "finance_state",
            "fiscal_year",
            "budget_code",
        ):
            batch_op.drop_column(column)
