"""人事異動: uploaded org charts (org_transfers) and the steps each moves (org_transfer_moves).

The inbox and document list of a 10,000-staff city over 1,000,000 documents need no index beyond those of
0001/0002 (bench/inbox.py: p99 under 20 ms on PostgreSQL).

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-26 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
    op.create_table(
        "org_transfer_moves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("stage_kind", sa.String(length=20), nullable=False),
        sa.Column("old_assignee_id", sa.String(length=40), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("post_code", sa.String(length=40), nullable=False),
        sa.Column("new_assignee_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["org_transfers.id"],
            name=op.f("fk_org_transfer_moves_transfer_id_org_transfers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_transfer_moves")),
        sa.UniqueConstraint(
            "transfer_id", "document_id", "stage_index", "old_assignee_id", name="uq_org_transfer_moves_step"
        ),
    )
    op.create_index("ix_org_transfer_moves_transfer_done", "org_transfer_moves", ["transfer_id", "done"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_org_transfer_moves_transfer_done", table_name="org_transfer_moves")
    op.drop_table("org_transfer_moves")
    op.drop_index(op.f("ix_org_transfers_effective_on"), table_name="org_transfers")
    op.drop_table("org_transfers")
