"""Records lifecycle: 文書番号 (counters, numbers on documents), 施行 and the 公印使用簿, 完結, 保存期間 and its
extensions, records status, paper originals.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _document_columns() -> list[sa.Column[object]]:
    utc = sa.DateTime(timezone=True)
    return [
        sa.Column("needs_issuance", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("follow_up_of", sa.String(length=36), nullable=True),
        sa.Column("number_symbol", sa.String(length=20), nullable=True),
        sa.Column("number_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("number_serial", sa.Integer(), nullable=True),
        sa.Column("number_sub", sa.Integer(), nullable=True),
        sa.Column("number_display", sa.String(length=60), nullable=True),
        sa.Column("numbered_at", utc, nullable=True),
        sa.Column("last_sub_number", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("issued_at", utc, nullable=True),
        sa.Column("issued_by", sa.String(length=40), nullable=True),
        sa.Column("clean_copy_on", sa.Date(), nullable=True),
        sa.Column("seal_name", sa.String(length=40), nullable=True),
        sa.Column("seal_omitted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("dispatch_method", sa.String(length=20), nullable=True),
        sa.Column("dispatched_on", sa.Date(), nullable=True),
        sa.Column("completed_at", utc, nullable=True),
        sa.Column("completion_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("retention_permanent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("retention_starts_on", sa.Date(), nullable=True),
        sa.Column("retention_expires_on", sa.Date(), nullable=True),
        sa.Column("records_status", sa.String(length=20), nullable=False, server_default="active"),
        sa.Column("paper_original_reason", sa.Text(), nullable=True),
        sa.Column("paper_original_location", sa.String(length=200), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for column in _document_columns():
            batch_op.add_column(column)
        batch_op.create_index("ix_documents_records_expiry", ["records_status", "retention_expires_on"], unique=False)
        batch_op.create_index("ix_documents_number", ["number_fiscal_year", "number_display"], unique=True)

    op.create_table(
        "document_number_counters",
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "fiscal_year", name=op.f("pk_document_number_counters")),
    )
    op.create_table(
        "seal_uses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("seal_name", sa.String(length=40), nullable=False),
        sa.Column("used_by", sa.String(length=40), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("document_number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_seal_uses_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seal_uses")),
    )
    with op.batch_alter_table("seal_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seal_uses_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seal_uses_used_on"), ["used_on"], unique=False)
    op.create_table(
        "retention_extensions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_expires_on", sa.Date(), nullable=False),
        sa.Column("new_expires_on", sa.Date(), nullable=False),
        sa.Column("extended_by", sa.String(length=40), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_retention_extensions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_extensions")),
    )
    with op.batch_alter_table("retention_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_extensions_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_table("retention_extensions")
    op.drop_table("seal_uses")
    op.drop_table("document_number_counters")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_number")
        batch_op.drop_index("ix_documents_records_expiry")
        for column in reversed(_document_columns()):
            batch_op.drop_column(column.name)
