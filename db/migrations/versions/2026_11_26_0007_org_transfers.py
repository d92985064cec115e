"""人事異動: uploaded org charts (org_transfers); indexes for a big city's inbox and document lists.

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-26 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_transfers")),
    )
    op.create_index(op.f("ix_org_transfers_effective_on"), "org_transfers", ["effective_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_org_transfers_effective_on"), table_name="org_transfers")
    op.drop_table("org_transfers")
