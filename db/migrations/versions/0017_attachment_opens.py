"""一括承認: the attachments each staff member has opened (every one must be opened by the approver), and the
rulebook's bulk-eligible matters (``rulebook_versions.bulk_approval``, JSON; null: none), set on the shipped
demo version.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


DEMO_VERSION = "2021-04-01"
BULK_APPROVAL = {
    "matters": [
        {
            "matter": "leave",
            "days_at_most": 2.0,
            "within_prefecture_only": False,
            "citation": "第12条第1号 (例示)",
            "note": "休暇 2日以内",
        },
        {
            "matter": "trip",
            "days_at_most": None,
            "within_prefecture_only": True,
            "citation": "第12条第2号 (例示)",
            "note": "県内出張",
        },
    ],
    "max_items": 50,
    "citation": "第12条 (一括承認) (例示)",
}

_versions = sa.table(
    "rulebook_versions",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("bulk_approval", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("rulebook_versions") as batch:
        batch.add_column(sa.Column("bulk_approval", sa.JSON(), nullable=True))
    op.execute(
        _versions.update()
        .where(_versions.c.id == DEMO_VERSION, _versions.c.source == "repository")
        .values(bulk_approval=BULK_APPROVAL)
    )
    op.create_table(
        "attachment_opens",
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_attachment_opens_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "document_id", "n", name=op.f("pk_attachment_opens")),
    )


def downgrade() -> None:
    op.drop_table("attachment_opens")
    with op.batch_alter_table("rulebook_versions") as batch:
        batch.drop_column("bulk_approval")
