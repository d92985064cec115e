"""庶務 requests (leave, overtime, trip): typed details on the document and their posting to 人事給与.

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-26 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("hr_state", sa.String(length=20), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("hr_posting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hr_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for column in ("hr_error", "hr_posting_id", "hr_state", "details"):
            batch_op.drop_column(column)
