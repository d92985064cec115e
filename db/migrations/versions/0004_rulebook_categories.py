"""General matters (一般事項) in stored rulebooks: a 決裁区分 row's ``category`` and its words (``category_name``).

文書審査 rows are stored with the other sections (``section = 'examinations'``), so they need no table of their own.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rulebook_rows") as batch:
        batch.add_column(sa.Column("category", sa.String(40), nullable=True))
        batch.add_column(sa.Column("category_name", sa.String(100), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("rulebook_rows") as batch:
        batch.drop_column("category_name")
        batch.drop_column("category")
