"""Role grants (``staff_roles``): the records office (文書担当) and HR administrators (人事担当) are named
people, no longer every member of 総務課 / 人事課 (RINGI_RECORDS_OFFICE_UNIT(S) are gone).

An existing database keeps its records office going: the 課長 in office today of the old default unit
(``somu.somu``, 総務課) is granted ``records_office``; everyone else is granted by the org data (or an admin).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.String(40), sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(40), primary_key=True),
    )
    op.execute(
        "INSERT INTO staff_roles (staff_id, role) SELECT DISTINCT staff_id, 'records_office' FROM post_assignments"
        " WHERE org_unit_code = 'somu.somu' AND post_code = 'manager' AND effective_to IS NULL"
    )


def downgrade() -> None:
    op.drop_table("staff_roles")
