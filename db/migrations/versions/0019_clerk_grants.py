"""代理申請: 庶務担当 grants (``clerk_grants``, effective-dated) and the clerk who drafted a request for a colleague
(``documents.drafted_by``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clerk_grants",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("org_unit_code", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("granted_by", sa.String(40), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_clerk_grants_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_clerk_grants_org_unit_code_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clerk_grants")),
    )
    op.create_index(op.f("ix_clerk_grants_staff_id"), "clerk_grants", ["staff_id"])
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("drafted_by", sa.String(40), nullable=True))
        batch.create_foreign_key(op.f("fk_documents_drafted_by_staff"), "staff", ["drafted_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("fk_documents_drafted_by_staff"), type_="foreignkey")
        batch.drop_column("drafted_by")
    op.drop_index(op.f("ix_clerk_grants_staff_id"), table_name="clerk_grants")
    op.drop_table("clerk_grants")
