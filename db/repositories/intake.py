"""電子申請の収受: the applications received, by (source, application id), and the intake queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IntakeApplicationRow, StaffRow
from db.repositories.paging import page_of


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: IntakeApplicationRow) -> None:
        self._session.add(row)

    async def by_key(self, *, source: str, application_id: str) -> IntakeApplicationRow | None:
        stmt = select(IntakeApplicationRow).where(
            IntakeApplicationRow.source == source, IntakeApplicationRow.application_id == application_id
        )
        return (await self._session.scalars(stmt)).one_or_none()

    async def get(self, intake_id: str, *, for_update: bool = False) -> IntakeApplicationRow | None:
        if "\x00" in intake_id:
            return None
        stmt = select(IntakeApplicationRow).where(IntakeApplicationRow.id == intake_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def category_of_receipt(self, receipt_id: str) -> str | None:
        """The 決裁区分 the form's mapping (or the records office) gave the application that became the receipt."""
        stmt = select(IntakeApplicationRow.category).where(IntakeApplicationRow.receipt_id == receipt_id)
        return (await self._session.scalars(stmt)).first()

    async def queue_page(self, *, limit: int, offset: int) -> tuple[list[IntakeApplicationRow], int]:
        """The applications waiting to be routed by hand, oldest first."""
        stmt = (
            select(IntakeApplicationRow)
            .where(IntakeApplicationRow.state == "queued")
            .order_by(IntakeApplicationRow.received_at, IntakeApplicationRow.id)
        )
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def ensure_registrar(self, staff_id: str, *, name: str) -> None:
        """The system staff row that signed applications are registered by (no password: nobody signs in as it)."""
        if await self._session.get(StaffRow, staff_id) is None:
            self._session.add(StaffRow(id=staff_id, name=name, password_hash="!", is_admin=False))
            await self._session.flush()
