"""Accounts (アカウント): the staff rows' sign-in side: password, one-time flag, deactivation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import StaffRow


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, staff_id: str, *, for_update: bool = False) -> StaffRow | None:
        stmt = select(StaffRow).where(StaffRow.id == staff_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def deactivate(self, staff_ids: Iterable[str], *, at: datetime) -> list[str]:
        """Deactivate those of ``staff_ids`` still active; the ids deactivated now."""
        wanted = sorted(set(staff_ids))
        if not wanted:
            return []
        stmt = select(StaffRow.id).where(StaffRow.id.in_(wanted), StaffRow.deactivated_at.is_(None))
        active = list((await self._session.scalars(stmt)).all())
        if active:
            await self._session.execute(update(StaffRow).where(StaffRow.id.in_(active)).values(deactivated_at=at))
        return active

    async def unchanged_password_hashes(self, *, limit: int) -> Sequence[tuple[str, int]]:
        """(hash, accounts) of the most shared password hashes of active accounts whose password was never
        changed or reset (as seeded or imported): what the production start checks against the demo password
        (the demo seed gives every account one hash, so it comes first)."""
        accounts = func.count(StaffRow.id)
        stmt = (
            select(StaffRow.password_hash, accounts)
            .where(StaffRow.deactivated_at.is_(None), StaffRow.password_changed_at.is_(None))
            .group_by(StaffRow.password_hash)
            .order_by(accounts.desc(), StaffRow.password_hash)
            .limit(limit)
        )
        return [(hash_, int(count)) for hash_, count in (await self._session.execute(stmt)).all()]
