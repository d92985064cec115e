"""Full approval chain: 合議 quorum, 代決/引上げ with 後閲, deadlines, notifications outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 02:59:16.511079
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_notifications_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recipient_id"], ["staff.id"], name=op.f("fk_notifications_recipient_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_recipient_created", ["recipient_id", "created_at"], unique=False)

    op.create_table(
        "post_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("acted_by", sa.String(length=40), nullable=False),
        sa.Column("owed_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_post_reviews_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_post_reviews_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_reviews")),
    )
    with op.batch_alter_table("post_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_reviews_document_id"), ["document_id"], unique=False)
        batch_op.create_index("ix_post_reviews_staff_open", ["staff_id", "acknowledged_at"], unique=False)

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("pre_instructed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("urgent_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("desired_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sent_back_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consult_failed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("copied_from", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("consult_units", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("consult_quorum", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("readers", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acted_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("capacity", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("response", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("actor_post", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    # Step states were renamed: an approval is now one kind of answer ("done").
    op.execute("UPDATE route_steps SET state = 'done' WHERE state = 'approved'")


def downgrade() -> None:
    op.execute("UPDATE route_steps SET state = 'approved' WHERE state = 'done'")
    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("escalate_at")
        batch_op.drop_column("remind_at")
        batch_op.drop_column("version")
        batch_op.drop_column("comment")
        batch_op.drop_column("actor_post")
        batch_op.drop_column("response")
        batch_op.drop_column("capacity")
        batch_op.drop_column("acted_by")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("readers")
        batch_op.drop_column("consult_quorum")
        batch_op.drop_column("consult_units")
        batch_op.drop_column("copied_from")
        batch_op.drop_column("consult_failed")
        batch_op.drop_column("sent_back_to")
        batch_op.drop_column("desired_by")
        batch_op.drop_column("urgent_reason")
        batch_op.drop_column("pre_instructed")
        batch_op.drop_column("flags")

    with op.batch_alter_table("post_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_post_reviews_staff_open")
        batch_op.drop_index(batch_op.f("ix_post_reviews_document_id"))

    op.drop_table("post_reviews")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_recipient_created")

    op.drop_table("notifications")
