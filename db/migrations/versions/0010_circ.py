"""Notices about receipts (収受): 供覧 requests and reminders, reply deadlines (回答期限).  A notice names either a
document or a receipt, so ``notifications.document_id`` becomes nullable and ``receipt_id`` joins it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("document_id", existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column("receipt_id", sa.String(36), nullable=True))
        batch.create_index("ix_notifications_receipt_id", ["receipt_id"], unique=False)
        batch.create_foreign_key(
            "fk_notifications_receipt_id_receipts", "receipts", ["receipt_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE document_id IS NULL")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("fk_notifications_receipt_id_receipts", type_="foreignkey")
        batch.drop_index("ix_notifications_receipt_id")
        batch.drop_column("receipt_id")
        batch.alter_column("document_id", existing_type=sa.String(36), nullable=False)
