"""Org mirror: staff, their posts and org units (seeded from HR; the API's staff look-ups read it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OrgUnitRow, PostAssignmentRow, PostRow, StaffRoleRow, StaffRow
from schemas.org import City, OrgUnitRef, PostRef, StaffRef


def _in_force(as_of: date) -> object:
    return and_(
        PostAssignmentRow.effective_from <= as_of,
        or_(PostAssignmentRow.effective_to.is_(None), PostAssignmentRow.effective_to > as_of),
    )


def _holding(org_unit: str | None, post: str | None) -> list[object]:
    conditions: list[object] = []
    if org_unit is not None:
        conditions.append(PostAssignmentRow.org_unit_code == org_unit)
    if post is not None:
        conditions.append(PostAssignmentRow.post_code == post)
    return conditions


def _assignment_query(*conditions: object) -> Select[str, str, str, str, str, str]:
    """Staff with the post and org unit of each matching assignment, by staff id (then assignment: a stable order)."""
    return (
        select(StaffRow.id, StaffRow.name, OrgUnitRow.code, OrgUnitRow.name, PostRow.code, PostRow.name)
        .join(PostAssignmentRow, PostAssignmentRow.staff_id == StaffRow.id)
        .join(OrgUnitRow, OrgUnitRow.code == PostAssignmentRow.org_unit_code)
        .join(PostRow, PostRow.code == PostAssignmentRow.post_code)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(PostAssignmentRow.staff_id, PostAssignmentRow.effective_from, PostAssignmentRow.id)
    )


class OrgRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_seeded(self) -> bool:
        return (await self._session.scalar(select(StaffRow.id).limit(1))) is not None

    async def add_city(self, city: City, *, password_hash: str) -> None:
        """Insert a whole organisation (demo seed or an HR sync into an empty database)."""
        self._session.add_all(PostRow(code=p.code, name=p.name, rank=p.rank) for p in city.posts)
        # Parents before children: departments are listed before their divisions.
        for unit in sorted(city.org_units, key=lambda u: u.code.count(".")):
            self._session.add(
                OrgUnitRow(
                    code=unit.code,
                    name=unit.name,
                    kind=unit.kind,
                    parent_code=unit.parent_code,
                    symbol=unit.symbol,
                )
            )
            await self._session.flush()
        self._session.add_all(
            StaffRow(id=s.id, name=s.name, password_hash=password_hash, is_admin=s.is_admin) for s in city.staff
        )
        await self._session.flush()
        self._session.add_all(
            PostAssignmentRow(
                staff_id=a.staff_id,
                org_unit_code=a.org_unit_code,
                post_code=a.post_code,
                effective_from=a.effective_from,
                effective_to=a.effective_to,
            )
            for a in city.assignments
        )
        self._session.add_all(StaffRoleRow(staff_id=s.id, role=role) for s in city.staff for role in s.roles)
        await self._session.flush()

    async def grant(self, staff_id: str, role: str) -> None:
        """Grant ``role`` (idempotent)."""
        if await self._session.get(StaffRoleRow, (staff_id, role)) is None:
            self._session.add(StaffRoleRow(staff_id=staff_id, role=role))
            await self._session.flush()

    async def get_staff(self, staff_id: str) -> StaffRow | None:
        return await self._session.get(StaffRow, staff_id)

    async def staff_ref(self, staff_id: str, *, as_of: date) -> StaffRef | None:
        """The staff member in the post they hold on ``as_of`` (None if unknown or holding none)."""
        refs = await self._assignments(PostAssignmentRow.staff_id == staff_id, as_of=as_of)
        return refs[0] if refs else None

    async def find_staff(self, *, as_of: date, org_unit: str | None = None, post: str | None = None) -> list[StaffRef]:
        return await self._assignments(*_holding(org_unit, post), as_of=as_of)

    async def page_staff(
        self, *, as_of: date, org_unit: str | None = None, post: str | None = None, limit: int, offset: int
    ) -> tuple[list[StaffRef], int]:
        """A page of ``find_staff`` (by staff id, then assignment), and how many assignments match in all."""
        conditions = (_in_force(as_of), *_holding(org_unit, post))
        count = select(func.count()).select_from(PostAssignmentRow).where(*conditions)  # type: ignore[arg-type]
        total = int(await self._session.scalar(count) or 0)
        return await self._refs(_assignment_query(*conditions).limit(limit).offset(offset)), total

    async def _assignments(self, *conditions: object, as_of: date) -> list[StaffRef]:
        """One joined query (this sits on the path of every action)."""
        return await self._refs(_assignment_query(_in_force(as_of), *conditions))

    async def _refs(self, stmt: Select[str, str, str, str, str, str]) -> list[StaffRef]:
        return [
            StaffRef(
                id=staff_id,
                name=name,
                org_unit=OrgUnitRef(code=unit_code, name=unit_name),
                post=PostRef(code=post_code, name=post_name),
            )
            for staff_id, name, unit_code, unit_name, post_code, post_name in (await self._session.execute(stmt)).all()
        ]

    async def names(self, staff_ids: Iterable[str]) -> dict[str, str]:
        """Staff names by id (unknown ids are left out)."""
        ids = sorted(set(staff_ids))
        if not ids:
            return {}
        rows = await self._session.execute(select(StaffRow.id, StaffRow.name).where(StaffRow.id.in_(ids)))
        return {staff_id: name for staff_id, name in rows.all()}
