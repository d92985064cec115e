"""Records (文書管理): 文書番号 counters, the 公印使用簿, retention extensions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentNumberCounterRow, DocumentRow, OrgUnitRow, RetentionExtensionRow, SealUseRow
from db.repositories.paging import page_of


class NumberRepository:
    """Serials per 文書記号 per fiscal year.  One atomic statement each: the counter row serialises concurrent
    takers (PostgreSQL row lock; SQLite's write lock), and a rolled-back transaction gives its serial back, so the
    numbers stay gapless."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_serial(self, *, symbol: str, fiscal_year: int) -> int:
        """The next serial of (symbol, fiscal year): 1 on the first call of each fiscal year."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        counters = DocumentNumberCounterRow
        stmt = (
            insert(counters)
            .values(symbol=symbol, fiscal_year=fiscal_year, last_serial=1)
            .on_conflict_do_update(
                index_elements=[counters.symbol, counters.fiscal_year],
                set_={"last_serial": counters.last_serial + 1},
            )
            .returning(counters.last_serial)
        )
        serial = (await self._session.execute(stmt)).scalar_one()
        return int(serial)

    async def next_sub(self, parent_id: str) -> int:
        """The next sub-number (の2, の3 …) of a numbered document."""
        stmt = (
            update(DocumentRow)
            .where(DocumentRow.id == parent_id)
            .values(last_sub_number=DocumentRow.last_sub_number + 1)
            .returning(DocumentRow.last_sub_number)
            .execution_options(synchronize_session=False)
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def symbol_of(self, org_unit_code: str) -> str:
        """The unit's 文書記号, else the nearest ancestor's, else the unit's name."""
        code: str | None = org_unit_code
        name = org_unit_code
        while code is not None:
            unit = await self._session.get(OrgUnitRow, code)
            if unit is None:
                break
            if unit.symbol:
                return unit.symbol
            if code == org_unit_code:
                name = unit.name
            code = unit.parent_code
        return name


class SealLogRepository:
    """公印使用簿: every use of an official seal."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: SealUseRow) -> None:
        self._session.add(row)

    async def between(
        self, *, start: date | None, end: date | None, limit: int, offset: int
    ) -> tuple[list[SealUseRow], int]:
        """A page of the seal uses from ``start`` to ``end`` (inclusive), oldest first, and how many there are."""
        stmt = select(SealUseRow).order_by(SealUseRow.used_on, SealUseRow.id)
        if start is not None:
            stmt = stmt.where(SealUseRow.used_on >= start)
        if end is not None:
            stmt = stmt.where(SealUseRow.used_on <= end)
        return await page_of(self._session, stmt, limit=limit, offset=offset)


class RetentionExtensionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: RetentionExtensionRow) -> None:
        self._session.add(row)

    async def for_document(self, document_id: str) -> list[RetentionExtensionRow]:
        stmt = (
            select(RetentionExtensionRow)
            .where(RetentionExtensionRow.document_id == document_id)
            .order_by(RetentionExtensionRow.id)
        )
        return list((await self._session.scalars(stmt)).all())
