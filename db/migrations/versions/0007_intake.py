"""電子申請の収受 (intake of online applications): one row per (source, application id), and the intake queue.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:00:00
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
        "intake_applications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("application_id", sa.String(100), nullable=False),
        sa.Column("form_id", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("queue_reason", sa.Text(), nullable=False),
        sa.Column("receipt_id", sa.String(36), sa.ForeignKey("receipts.id"), nullable=True),
        sa.Column("mapping_version", sa.String(20), nullable=True),
        sa.Column("intended_branch", sa.String(20), nullable=True),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("routed_by", sa.String(40), nullable=True),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "application_id", name="uq_intake_applications_key"),
    )
    op.create_index("ix_intake_applications_state", "intake_applications", ["state", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_intake_applications_state", table_name="intake_applications")
    op.drop_table("intake_applications")
