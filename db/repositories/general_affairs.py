"""庶務 requests in the read model: what the overtime totals and the leave balances count.  Never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentRow


class GeneralAffairsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def overtime_requests(
        self, *, drafter_id: str, statuses: Collection[str], exclude_id: str
    ) -> list[DocumentRow]:
        """The person's overtime requests in ``statuses`` (another document's), oldest first.

        By person, whatever section drafted them: the totals follow the person across a transfer.
        """
        stmt = (
            select(DocumentRow)
            .where(
                DocumentRow.drafter_id == drafter_id,
                DocumentRow.matter == "overtime",
                DocumentRow.status.in_(statuses),
                DocumentRow.id != exclude_id,
            )
            .order_by(DocumentRow.created_at)
        )
        return list((await self._session.scalars(stmt)).all())

    async def unposted_leave(
        self, *, drafter_id: str, pending: Collection[str], decided: Collection[str], exclude_id: str
    ) -> list[DocumentRow]:
        """The person's leave requests HR does not hold yet: ``pending``, or ``decided`` and not yet posted."""
        stmt = (
            select(DocumentRow)
            .where(
                DocumentRow.drafter_id == drafter_id,
                DocumentRow.matter == "leave",
                DocumentRow.id != exclude_id,
                or_(
                    DocumentRow.status.in_(pending),
                    and_(DocumentRow.status.in_(decided), DocumentRow.hr_state == "none"),
                ),
            )
            .order_by(DocumentRow.created_at)
        )
        return list((await self._session.scalars(stmt)).all())

    async def overtime_special_cases(
        self, *, statuses: Collection[str], work_from: date, work_to: date
    ) -> list[DocumentRow]:
        """Overtime orders marked 特例業務 in ``statuses`` whose work date is in [``work_from``, ``work_to``],
        by work date (oldest first)."""
        details = DocumentRow.details
        work_date = details["work_date"].as_string()
        stmt = (
            select(DocumentRow)
            .where(
                DocumentRow.matter == "overtime",
                DocumentRow.status.in_(statuses),
                details["special_case"].as_boolean(),
                work_date >= work_from.isoformat(),
                work_date <= work_to.isoformat(),
            )
            .order_by(work_date, DocumentRow.created_at)
        )
        return list((await self._session.scalars(stmt)).all())
