"""Server-side sessions (``sessions``): web cookies and bearer tokens carry a session id, revoked at sign-out,
lockout and second-factor reset, and ended by the idle timeout and the absolute lifetime.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(43), primary_key=True),
        sa.Column("staff_id", sa.String(40), sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_ip", sa.String(45), nullable=False),
        sa.Column("user_agent", sa.String(400), nullable=False),
    )
    op.create_index("ix_sessions_staff_id", "sessions", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_staff_id", table_name="sessions")
    op.drop_table("sessions")
