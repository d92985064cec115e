"""Disposal review (廃棄・移管の審査): one review per fiscal year, its items, and the permanent 廃棄記録.

Revision ID: 0012
Revises: 0004
Create Date: 2026-11-26 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = sa.DateTime(timezone=True)
    op.create_table(
        "disposal_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("live_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", utc, nullable=False),
        sa.Column("opened_by", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", utc, nullable=True),
        sa.Column("applied_at", utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_reviews_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_reviews")),
        sa.UniqueConstraint("document_id", name=op.f("uq_disposal_reviews_document_id")),
        sa.UniqueConstraint("live_fiscal_year", name=op.f("uq_disposal_reviews_live_fiscal_year")),
    )
    with op.batch_alter_table("disposal_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposal_reviews_fiscal_year"), ["fiscal_year"], unique=False)
    op.create_table(
        "disposal_review_items",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("retention_label", sa.String(length=20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("paper_original_location", sa.String(length=200), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("extend_years", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=True),
        sa.Column("proposed_at", utc, nullable=True),
        sa.Column("applied_at", utc, nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_review_items_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["disposal_reviews.id"],
            name=op.f("fk_disposal_review_items_review_id_disposal_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "document_id", name=op.f("pk_disposal_review_items")),
    )
    op.create_table(
        "disposal_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("retention_label", sa.String(length=20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("review_document_id", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=40), nullable=False),
        sa.Column("approved_at", utc, nullable=False),
        sa.Column("disposed_at", utc, nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_records_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["disposal_reviews.id"], name=op.f("fk_disposal_records_review_id_disposal_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_records")),
        sa.UniqueConstraint("document_id", name=op.f("uq_disposal_records_document_id")),
    )


def downgrade() -> None:
    op.drop_table("disposal_records")
    op.drop_table("disposal_review_items")
    with op.batch_alter_table("disposal_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposal_reviews_fiscal_year"))
    op.drop_table("disposal_reviews")
