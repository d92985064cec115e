"""Rulebook (事務決裁規程) versions and rows; documents carry their expense class and pinned version; route steps
cite their rule.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-26 06:09:15.284494
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rulebook_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("review_citation", sa.String(length=200), nullable=False),
        sa.Column("escalation_flags", sa.JSON(), nullable=False),
        sa.Column("escalation_consult_failed", sa.Boolean(), nullable=False),
        sa.Column("escalation_levels", sa.Integer(), nullable=False),
        sa.Column("escalation_citation", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulebook_versions")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_rulebook_versions_effective_from")),
    )
    op.create_table(
        "rulebook_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=40), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=40), nullable=False),
        sa.Column("expense_class", sa.String(length=20), nullable=True),
        sa.Column("quantity", sa.String(length=40), nullable=True),
        sa.Column("at_least", sa.BigInteger(), nullable=False),
        sa.Column("below", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(length=40), nullable=True),
        sa.Column("org_unit", sa.String(length=64), nullable=True),
        sa.Column("post", sa.String(length=40), nullable=True),
        sa.Column("citation", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["rulebook_versions.id"],
            name=op.f("fk_rulebook_rows_version_id_rulebook_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulebook_rows")),
        sa.UniqueConstraint("version_id", "section", "position", name="uq_rulebook_rows_version_row"),
    )
    with op.batch_alter_table("rulebook_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rulebook_rows_version_id"), ["version_id"], unique=False)

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expense_class", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("rulebook_version", sa.String(length=40), nullable=True))

    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("rule", sa.String(length=400), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.drop_column("rule")
        batch_op.drop_column("reason")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("rulebook_version")
        batch_op.drop_column("expense_class")

    with op.batch_alter_table("rulebook_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rulebook_rows_version_id"))

    op.drop_table("rulebook_rows")
    op.drop_table("rulebook_versions")
