"""Disposal by file (簿冊単位の廃棄・移管): a file's extended expiry and records status, the files a review lists
(and which file each listed document is in), the 廃棄記録 of a file.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_files") as batch:
        batch.add_column(sa.Column("extended_expires_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("records_status", sa.String(20), nullable=False, server_default="active"))
    with op.batch_alter_table("disposal_review_items") as batch:
        batch.add_column(sa.Column("file_id", sa.String(36), nullable=True))
    op.create_table(
        "disposal_review_files",
        sa.Column("review_id", sa.String(36), nullable=False),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("org_unit_code", sa.String(64), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("classification_code", sa.String(40), nullable=False),
        sa.Column("retention_label", sa.String(20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=True),
        sa.Column("extend_years", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(40), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["disposal_reviews.id"],
            name=op.f("fk_disposal_review_files_review_id_disposal_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["record_files.id"], name=op.f("fk_disposal_review_files_file_id_record_files")
        ),
        sa.PrimaryKeyConstraint("review_id", "file_id", name=op.f("pk_disposal_review_files")),
    )
    op.create_table(
        "file_disposal_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("org_unit_code", sa.String(64), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("classification_code", sa.String(40), nullable=False),
        sa.Column("retention_label", sa.String(20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.String(36), nullable=False),
        sa.Column("review_document_id", sa.String(36), nullable=True),
        sa.Column("approved_by", sa.String(40), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["record_files.id"], name=op.f("fk_file_disposal_records_file_id_record_files")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["disposal_reviews.id"], name=op.f("fk_file_disposal_records_review_id_disposal_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_disposal_records")),
        sa.UniqueConstraint("file_id", name=op.f("uq_file_disposal_records_file_id")),
    )


def downgrade() -> None:
    op.drop_table("file_disposal_records")
    op.drop_table("disposal_review_files")
    with op.batch_alter_table("disposal_review_items") as batch:
        batch.drop_column("file_id")
    with op.batch_alter_table("record_files") as batch:
        batch.drop_column("records_status")
        batch.drop_column("extended_expires_on")
