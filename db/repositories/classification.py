"""文書分類表 versions and their classes.  Never commits."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import ClassificationAdditionRow, ClassificationClassRow, ClassificationVersionRow, RecordFileRow
from rules.classification import repository_tables
from schemas.classification import ClassificationEntry, ClassificationTable

log = structlog.get_logger("ringi.classification")


class ClassificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def versions(self, *, fiscal_year: int | None = None) -> list[ClassificationVersionRow]:
        """The versions (of one 年度, or all), by 年度 and 適用日, with their classes."""
        stmt = select(ClassificationVersionRow).options(selectinload(ClassificationVersionRow.classes))
        if fiscal_year is not None:
            stmt = stmt.where(ClassificationVersionRow.fiscal_year == fiscal_year)
        stmt = stmt.order_by(
            ClassificationVersionRow.fiscal_year, ClassificationVersionRow.effective_from, ClassificationVersionRow.id
        )
        return list((await self._session.scalars(stmt)).all())

    async def tables(self, *, fiscal_year: int | None = None) -> list[ClassificationTable]:
        return [table_of(row) for row in await self.versions(fiscal_year=fiscal_year)]

    async def get(self, version_id: str) -> ClassificationTable | None:
        stmt = (
            select(ClassificationVersionRow)
            .where(ClassificationVersionRow.id == version_id)
            .options(selectinload(ClassificationVersionRow.classes))
        )
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else table_of(row)

    async def add(self, table: ClassificationTable, *, origin: str, created_by: str | None = None) -> None:
        self._session.add(
            ClassificationVersionRow(
                id=table.id,
                fiscal_year=table.fiscal_year,
                effective_from=table.effective_from,
                title=table.title,
                source=table.source,
                origin=origin,
                created_at=datetime.now(UTC),
                created_by=created_by,
            )
        )
        await self._session.flush()
        for position, entry in enumerate(table.entries):
            self._session.add(
                ClassificationClassRow(
                    version_id=table.id,
                    position=position,
                    code=entry.code,
                    name=entry.name,
                    parent_code=entry.parent_code,
                    retention_years=entry.retention_years,
                    retention_permanent=entry.retention_permanent,
                    disposition=entry.disposition,
                    counting=entry.counting,
                    source_row=entry.row[:100],
                )
            )
        await self._session.flush()

    async def codes_in_use(self, fiscal_year: int) -> set[str]:
        """The classification codes the files of ``fiscal_year`` are kept under."""
        stmt = (
            select(RecordFileRow.classification_code)
            .where(RecordFileRow.fiscal_year == fiscal_year, _not_migrated())
            .distinct()
        )
        return set((await self._session.scalars(stmt)).all())

    async def codes_in_use_by_unit(self, fiscal_year: int) -> dict[str, set[str]]:
        """The classification codes the files of ``fiscal_year`` are kept under, by section."""
        stmt = (
            select(RecordFileRow.org_unit_code, RecordFileRow.classification_code)
            .where(RecordFileRow.fiscal_year == fiscal_year, _not_migrated())
            .distinct()
        )
        used: dict[str, set[str]] = {}
        for unit, code in (await self._session.execute(stmt)).all():
            used.setdefault(unit, set()).add(code)
        return used

    async def additions(self, fiscal_year: int, org_unit_code: str) -> list[ClassificationEntry]:
        """The section's additions (課独自の分類) to the 年度's 共通分類, in upload order."""
        return (await self.additions_by_unit(fiscal_year, units=[org_unit_code])).get(org_unit_code, [])

    async def additions_by_unit(
        self, fiscal_year: int, *, units: list[str] | None = None
    ) -> dict[str, list[ClassificationEntry]]:
        stmt = select(ClassificationAdditionRow).where(ClassificationAdditionRow.fiscal_year == fiscal_year)
        if units is not None:
            stmt = stmt.where(ClassificationAdditionRow.org_unit_code.in_(units))
        stmt = stmt.order_by(ClassificationAdditionRow.org_unit_code, ClassificationAdditionRow.position)
        found: dict[str, list[ClassificationEntry]] = {}
        for row in (await self._session.scalars(stmt)).all():
            found.setdefault(row.org_unit_code, []).append(
                ClassificationEntry(
                    code=row.code,
                    name=row.name,
                    parent_code=row.parent_code,
                    retention_years=row.retention_years,
                    retention_permanent=row.retention_permanent,
                    disposition=row.disposition,
                    counting=row.counting,
                    row=row.source_row,
                )
            )
        return found

    async def replace_additions(
        self, fiscal_year: int, org_unit_code: str, entries: list[ClassificationEntry], *, created_by: str | None
    ) -> None:
        """The section's additions of the 年度 become ``entries`` (the previous ones are dropped)."""
        await self._session.execute(
            delete(ClassificationAdditionRow).where(
                ClassificationAdditionRow.fiscal_year == fiscal_year,
                ClassificationAdditionRow.org_unit_code == org_unit_code,
            )
        )
        now = datetime.now(UTC)
        for position, entry in enumerate(entries):
            self._session.add(
                ClassificationAdditionRow(
                    fiscal_year=fiscal_year,
                    org_unit_code=org_unit_code,
                    code=entry.code,
                    position=position,
                    name=entry.name,
                    parent_code=entry.parent_code,
                    retention_years=entry.retention_years,
                    retention_permanent=entry.retention_permanent,
                    disposition=entry.disposition,
                    counting=entry.counting,
                    source_row=entry.row[:100],
                    created_by=created_by,
                    created_at=now,
                )
            )
        await self._session.flush()


def _not_migrated() -> ColumnElement[bool]:
    """Files not kept under a migration version (``migrated-<年度>``, migration 0017): those keep their own classes,
    which a real 文書分類表 of the 年度 need not have."""
    migrated = select(ClassificationVersionRow.id).where(ClassificationVersionRow.origin == "migration")
    return RecordFileRow.classification_version.not_in(migrated)


def table_of(row: ClassificationVersionRow) -> ClassificationTable:
    return ClassificationTable(
        id=row.id,
        fiscal_year=row.fiscal_year,
        effective_from=row.effective_from,
        title=row.title,
        source=row.source,
        entries=tuple(
            ClassificationEntry(
                code=c.code,
                name=c.name,
                parent_code=c.parent_code,
                retention_years=c.retention_years,
                retention_permanent=c.retention_permanent,
                disposition=c.disposition,
                counting=c.counting,
                row=c.source_row,
            )
            for c in row.classes
        ),
    )


async def sync_repository_tables(session: AsyncSession) -> list[str]:
    """Store the shipped 文書分類表 versions the database lacks (by id); the ids added.  The caller commits."""
    repo = ClassificationRepository(session)
    added = []
    for table in repository_tables():
        if await session.get(ClassificationVersionRow, table.id) is None:
            await repo.add(table, origin="repository")
            added.append(table.id)
    if added:
        log.info("classification.synced", versions=added)
    return added
