"""庶務担当 grants (``clerk_grants``): the 代理申請 right, effective-dated."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClerkGrantRow
from domain.clerks import ClerkGrant


class ClerkGrantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: ClerkGrantRow) -> None:
        self._session.add(row)

    async def grants_of(self, staff_id: str) -> list[ClerkGrant]:
        """Every grant ``staff_id`` holds or held (the domain rule picks the one covering the day)."""
        stmt = select(ClerkGrantRow).where(ClerkGrantRow.staff_id == staff_id).order_by(ClerkGrantRow.valid_from)
        return [
            ClerkGrant(staff_id=r.staff_id, org_unit_code=r.org_unit_code, valid_from=r.valid_from, valid_to=r.valid_to)
            for r in (await self._session.scalars(stmt)).all()
        ]
