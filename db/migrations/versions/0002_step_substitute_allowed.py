"""Route steps carry the rulebook's 代決 bar (``substitute_allowed``), so the inbox offers only a 代決 the chain
would accept.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("route_steps") as batch_op:
        batch_op.add_column(sa.Column("substitute_allowed", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("route_steps") as batch_op:
        batch_op.drop_column("substitute_allowed")
