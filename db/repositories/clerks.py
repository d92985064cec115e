"""庶務担当 grants (``clerk_grants``): the 代理申請 right, effective-dated."""

from __future__ import annotations

from sqlalchemy import func, select
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

    async def get(self, grant_id: str) -> ClerkGrantRow | None:
        return await self._session.get(ClerkGrantRow, grant_id)

    async def delete(self, row: ClerkGrantRow) -> None:
        await self._session.delete(row)

    async def page(
        self, *, staff_id: str | None, org_unit: str | None, limit: int, offset: int
    ) -> tuple[list[ClerkGrantRow], int]:
        """Grants (of one holder, of one unit), by start, holder and id (a stable order), and how many in all."""
        stmt = select(ClerkGrantRow)
        if staff_id is not None:
            stmt = stmt.where(ClerkGrantRow.staff_id == staff_id)
        if org_unit is not None:
            stmt = stmt.where(ClerkGrantRow.org_unit_code == org_unit)
        total = await self._session.scalar(select(func.count()).select_from(stmt.subquery()))
        ordered = stmt.order_by(ClerkGrantRow.valid_from, ClerkGrantRow.staff_id, ClerkGrantRow.id)
        rows = (await self._session.scalars(ordered.limit(limit).offset(offset))).all()
        return list(rows), int(total or 0)
