"""Account life cycle (``staff``): a one-time password that must be changed (``must_change_password``), the
moment the password last changed (``password_changed_at``) and deactivation (``deactivated_at``: sign-in
refused, history kept).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("deactivated_at")
        batch.drop_column("password_changed_at")
        batch.drop_column("must_change_password")
