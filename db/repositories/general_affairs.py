"""庶務 requests in the read model: what the monthly overtime total counts."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentRow


class GeneralAffairsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def overtime_requests(
        self, *, drafter_id: str, statuses: Collection[str], exclude_id: str
    ) -> list[DocumentRow]:
        """The drafter's overtime requests in ``statuses`` (another document's), oldest first."""
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
