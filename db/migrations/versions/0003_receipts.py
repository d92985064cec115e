"""収受 (receipts): the receipts register (収受簿), its event chain, 供覧 readers, and a draft's ``in_reply_to``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("number_symbol", sa.String(20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("receipt_serial", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(60), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("sender", sa.String(400), nullable=False),
        sa.Column("addressee", sa.String(400), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("sender_reference", sa.String(100), nullable=False),
        sa.Column("sender_dated_on", sa.Date(), nullable=True),
        sa.Column("reply_by", sa.Date(), nullable=True),
        sa.Column("assigned_unit", sa.String(64), sa.ForeignKey("org_units.code"), nullable=False),
        sa.Column("confidentiality", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("registered_by", sa.String(40), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("branch", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("reply_document_id", sa.String(36), nullable=True),
        sa.Column("reply_number", sa.String(60), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("number_symbol", "fiscal_year", "receipt_serial", name="uq_receipts_number"),
    )
    op.create_index("ix_receipts_fiscal_year_unit", "receipts", ["fiscal_year", "assigned_unit"])
    op.create_table(
        "receipt_events",
        sa.Column("receipt_id", sa.String(36), sa.ForeignKey("receipts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "circulation_readers",
        sa.Column("receipt_id", sa.String(36), sa.ForeignKey("receipts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reader_id", sa.String(40), sa.ForeignKey("staff.id"), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
    )
    op.create_index("ix_circulation_readers_reader_id", "circulation_readers", ["reader_id"])
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("in_reply_to", sa.String(36), nullable=True))
        batch_op.create_index("ix_documents_in_reply_to", ["in_reply_to"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_index("ix_documents_in_reply_to")
        batch_op.drop_column("in_reply_to")
    op.drop_table("circulation_readers")
    op.drop_table("receipt_events")
    op.drop_index("ix_receipts_fiscal_year_unit", table_name="receipts")
    op.drop_table("receipts")
