"""A section's additions to the 共通分類 (課独自の分類) per 年度, and the history of a file's 保存期間 延長/短縮.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classification_additions",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("org_unit_code", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_code", sa.String(40), nullable=True),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("retention_permanent", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=True),
        sa.Column("counting", sa.String(20), nullable=False),
        sa.Column("source_row", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_classification_additions_org_unit_code_org_units")
        ),
        sa.PrimaryKeyConstraint("fiscal_year", "org_unit_code", "code", name=op.f("pk_classification_additions")),
    )
    op.create_table(
        "file_retention_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_expires_on", sa.Date(), nullable=False),
        sa.Column("new_expires_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["record_files.id"], name=op.f("fk_file_retention_changes_file_id_record_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_retention_changes")),
    )
    op.create_index(op.f("ix_file_retention_changes_file_id"), "file_retention_changes", ["file_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_file_retention_changes_file_id"), table_name="file_retention_changes")
    op.drop_table("file_retention_changes")
    op.drop_table("classification_additions")
