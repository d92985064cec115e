"""Server-side sessions (セッション): opened at sign-in, read by every request, ended by sign-out and revocation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SessionRow


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: SessionRow) -> None:
        self._session.add(row)

    async def get(self, session_id: str) -> SessionRow | None:
        """One read by primary key: what every request pays."""
        return await self._session.get(SessionRow, session_id)

    async def touch(self, session_id: str, *, at: datetime) -> None:
        await self._session.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=at))

    async def of_staff(self, staff_id: str) -> Sequence[SessionRow]:
        stmt = select(SessionRow).where(SessionRow.staff_id == staff_id).order_by(SessionRow.created_at.desc())
        return (await self._session.scalars(stmt)).all()

    async def end(self, staff_id: str, session_id: str) -> bool:
        """End one of ``staff_id``'s sessions; False if they have none of that id."""
        result = await self._session.execute(
            delete(SessionRow).where(SessionRow.id == session_id, SessionRow.staff_id == staff_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def revoke_all(self, staff_id: str) -> int:
        """End every session of ``staff_id`` at once (sign-out, lockout, second-factor reset)."""
        result = await self._session.execute(delete(SessionRow).where(SessionRow.staff_id == staff_id))
        return int(getattr(result, "rowcount", 0))

    async def revoke_others(self, staff_id: str, *, keep: str | None) -> int:
        """End every session of ``staff_id`` but ``keep`` (a password change goes on in the session that made it)."""
        stmt = delete(SessionRow).where(SessionRow.staff_id == staff_id)
        if keep is not None:
            stmt = stmt.where(SessionRow.id != keep)
        result = await self._session.execute(stmt)
        return int(getattr(result, "rowcount", 0))

    async def purge_ended(self, staff_id: str, *, now: datetime, idle_since: datetime) -> None:
        """Forget ``staff_id``'s sessions that have ended by time (done at each sign-in, so the table stays small)."""
        await self._session.execute(
            delete(SessionRow).where(
                SessionRow.staff_id == staff_id,
                or_(SessionRow.expires_at <= now, SessionRow.last_seen_at <= idle_since),
            )
        )
