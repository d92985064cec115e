"""簿冊 and 文書分類表: classification versions and their classes, record files (行政文書ファイル), the file
 of a document and of a receipt.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classification_versions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_versions")),
    )
    op.create_index(
        op.f("ix_classification_versions_fiscal_year"), "classification_versions", ["fiscal_year"], unique=False
    )
    op.create_table(
        "classification_classes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_code", sa.String(40), nullable=True),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("retention_permanent", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=True),
        sa.Column("counting", sa.String(20), nullable=False),
        sa.Column("source_row", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["classification_versions.id"],
            name=op.f("fk_classification_classes_version_id_classification_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_classes")),
        sa.UniqueConstraint("version_id", "code", name="uq_classification_classes_version_code"),
    )
    op.create_table(
        "record_files",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("org_unit_code", sa.String(64), nullable=False),
        sa.Column("classification_version", sa.String(40), nullable=False),
        sa.Column("classification_code", sa.String(40), nullable=False),
        sa.Column("classification_path", sa.String(200), nullable=False),
        sa.Column("classification_names", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("public_title", sa.String(400), nullable=True),
        sa.Column("storage_location", sa.String(200), nullable=False),
        sa.Column("medium", sa.String(20), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("retention_permanent", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=False),
        sa.Column("counting", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_record_files_org_unit_code_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["classification_version"],
            ["classification_versions.id"],
            name=op.f("fk_record_files_classification_version_classification_versions"),
        ),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"], name=op.f("fk_record_files_created_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_files")),
        sa.UniqueConstraint(
            "org_unit_code", "fiscal_year", "classification_code", "title", name="uq_record_files_unit_year_class_title"
        ),
    )
    op.create_index("ix_record_files_year_unit", "record_files", ["fiscal_year", "org_unit_code"], unique=False)
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("file_id", sa.String(36), nullable=True))
        batch.create_index("ix_documents_file_id", ["file_id"], unique=False)
        batch.create_foreign_key("fk_documents_file_id_record_files", "record_files", ["file_id"], ["id"])
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("file_id", sa.String(36), nullable=True))
        batch.create_index("ix_receipts_file_id", ["file_id"], unique=False)
        batch.create_foreign_key("fk_receipts_file_id_record_files", "record_files", ["file_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("receipts") as batch:
        batch.drop_constraint("fk_receipts_file_id_record_files", type_="foreignkey")
        batch.drop_index("ix_receipts_file_id")
        batch.drop_column("file_id")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("fk_documents_file_id_record_files", type_="foreignkey")
        batch.drop_index("ix_documents_file_id")
        batch.drop_column("file_id")
    op.drop_index("ix_record_files_year_unit", table_name="record_files")
    op.drop_table("record_files")
    op.drop_table("classification_classes")
    op.drop_index(op.f("ix_classification_versions_fiscal_year"), table_name="classification_versions")
    op.drop_table("classification_versions")
