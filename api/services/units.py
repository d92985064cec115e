"""The org units a form offers (担当課 of a receipt, 配布先, the unit an application is routed to) and the staff
a 供覧 may name (the assigned unit's and its department's)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OrgUnitRow
from db.repositories.org import OrgRepository
from schemas.org import StaffRef


async def unit_names(session: AsyncSession) -> dict[str, str]:
    """Every org unit (部・課・室) by code, in code order: code -> name."""
    rows = await session.execute(select(OrgUnitRow.code, OrgUnitRow.name).order_by(OrgUnitRow.code))
    return {code: name for code, name in rows.all()}


async def reader_candidates(session: AsyncSession, unit: str, *, as_of: date) -> list[StaffRef]:
    """Who a 供覧 of ``unit``'s receipt usually names: the unit's staff and its department's (部長), once each."""
    org = OrgRepository(session)
    found = await org.find_staff(as_of=as_of, org_unit=unit)
    row = await session.get(OrgUnitRow, unit)
    if row is not None and row.parent_code is not None:
        found += await org.find_staff(as_of=as_of, org_unit=row.parent_code)
    seen: dict[str, StaffRef] = {}
    for ref in found:
        seen.setdefault(ref.id, ref)
    return list(seen.values())
