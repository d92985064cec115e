"""簿冊 (行政文書ファイル): files, the documents filed in them, and the document search.  Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import DocumentRow, FileRetentionChangeRow, ReceiptRow, RecordFileRow
from db.repositories.paging import page_of
from db.repositories.visibility import visible_to
from domain.era import jst_date
from domain.retention import RetentionPeriod, file_retention, kept
from domain.visibility import Viewer


@dataclass(frozen=True)
class FileCompletion:
    """What a file's retention reads of its documents: how many, how many not complete, the latest 完結."""

    documents: int = 0
    open: int = 0
    latest_completed_at: datetime | None = None


@dataclass(frozen=True)
class SearchFilters:
    """A document search: every given filter must hold (``terms`` each in the 件名)."""

    terms: tuple[str, ...] = ()
    number: str | None = None
    fiscal_year: int | None = None
    #: The 年度's bounds as instants (JST midnight of April 1 and of the next April 1), for unnumbered documents.
    fiscal_year_bounds: tuple[datetime, datetime] | None = None
    unit: str | None = None
    classification: str | None = None
    drafter: str | None = None
    drafted_from: datetime | None = None
    drafted_before: datetime | None = None


def file_period(row: RecordFileRow, done: FileCompletion) -> RetentionPeriod | None:
    """The file's retention from its documents' completions (the latest 完結; none while one is open), with the
    延長 a disposal review decided."""
    completed = [jst_date(done.latest_completed_at)] if done.latest_completed_at else []
    period = file_retention(
        [*completed, *([None] * done.open)],
        row.retention_years,
        permanent=row.retention_permanent,
        counting=row.counting,  # type: ignore[arg-type]
    )
    return kept(period, row.extended_expires_on)


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class FileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: RecordFileRow) -> None:
        self._session.add(row)

    async def get(self, file_id: str, *, for_update: bool = False) -> RecordFileRow | None:
        if "\x00" in file_id:
            return None
        return await self._session.get(RecordFileRow, file_id, with_for_update=for_update or None)

    def add_retention_change(self, row: FileRetentionChangeRow) -> None:
        self._session.add(row)

    async def retention_changes(self, file_id: str) -> list[FileRetentionChangeRow]:
        """The file's 延長 and 短縮, oldest first."""
        stmt = (
            select(FileRetentionChangeRow)
            .where(FileRetentionChangeRow.file_id == file_id)
            .order_by(FileRetentionChangeRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def all_documents_of(self, file_id: str) -> list[DocumentRow]:
        """Every document filed in the file (seen or not: for the records office's changes), locked."""
        stmt = (
            select(DocumentRow)
            .where(DocumentRow.file_id == file_id)
            .order_by(DocumentRow.created_at, DocumentRow.id)
            .with_for_update()
        )
        return list((await self._session.scalars(stmt)).all())

    async def exists(self, *, org_unit_code: str, fiscal_year: int, classification_code: str, title: str) -> bool:
        stmt = select(RecordFileRow.id).where(
            RecordFileRow.org_unit_code == org_unit_code,
            RecordFileRow.fiscal_year == fiscal_year,
            RecordFileRow.classification_code == classification_code,
            RecordFileRow.title == title,
        )
        return (await self._session.scalar(stmt.limit(1))) is not None

    async def page(
        self, *, fiscal_year: int | None, unit: str | None, limit: int, offset: int
    ) -> tuple[list[RecordFileRow], int]:
        """Files by 年度 (newest first), section, classification and title."""
        stmt = select(RecordFileRow)
        if fiscal_year is not None:
            stmt = stmt.where(RecordFileRow.fiscal_year == fiscal_year)
        if unit is not None:
            stmt = stmt.where(_in_unit(RecordFileRow.org_unit_code, unit))
        stmt = stmt.order_by(
            RecordFileRow.fiscal_year.desc(),
            RecordFileRow.org_unit_code,
            RecordFileRow.classification_code,
            RecordFileRow.title,
            RecordFileRow.id,
        )
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def documents_of(self, file_id: str, viewer: Viewer) -> list[DocumentRow]:
        """The documents filed in the file that ``viewer`` may see, by 文書番号 and drafting time."""
        stmt = (
            select(DocumentRow)
            .where(DocumentRow.file_id == file_id, visible_to(viewer))
            .order_by(DocumentRow.created_at, DocumentRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def completions(self, file_ids: Sequence[str]) -> dict[str, FileCompletion]:
        """Per file: its documents and receipts, the open ones (not complete) and the latest 完結 (all of them, seen
        or not)."""
        result: dict[str, FileCompletion] = {}
        if not file_ids:
            return result
        for table in (DocumentRow, ReceiptRow):
            stmt = (
                select(table.file_id, func.count(), func.count(table.completed_at), func.max(table.completed_at))
                .where(table.file_id.in_(file_ids))
                .group_by(table.file_id)
            )
            for file_id, total, completed, latest in (await self._session.execute(stmt)).all():
                before = result.get(str(file_id), FileCompletion())
                latest = max((t for t in (before.latest_completed_at, latest) if t is not None), default=None)
                result[str(file_id)] = FileCompletion(
                    documents=before.documents + total, open=before.open + total - completed, latest_completed_at=latest
                )
        return result

    async def of_unit_year(self, *, org_unit_code: str, fiscal_year: int) -> list[RecordFileRow]:
        """The section's active files of the 年度 (the candidates of 簿冊の提案), by classification and title."""
        stmt = (
            select(RecordFileRow)
            .where(
                RecordFileRow.org_unit_code == org_unit_code,
                RecordFileRow.fiscal_year == fiscal_year,
                RecordFileRow.records_status == "active",
            )
            .order_by(RecordFileRow.classification_code, RecordFileRow.title, RecordFileRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def document_uses(
        self, file_ids: Sequence[str], *, org_unit_code: str, matter: str, category: str | None
    ) -> dict[str, int]:
        """Per file: how many of the section's documents of this matter (and 決裁区分) it holds."""
        if not file_ids:
            return {}
        kind = DocumentRow.category.is_(None) if category is None else DocumentRow.category == category
        stmt = (
            select(DocumentRow.file_id, func.count())
            .where(
                DocumentRow.file_id.in_(file_ids),
                DocumentRow.org_unit_code == org_unit_code,
                DocumentRow.matter == matter,
                kind,
            )
            .group_by(DocumentRow.file_id)
        )
        return {str(f): int(n) for f, n in (await self._session.execute(stmt)).all()}

    async def receipt_uses(self, file_ids: Sequence[str], *, sender: str) -> dict[str, int]:
        """Per file: how many receipts from ``sender`` it holds."""
        if not file_ids or not sender:
            return {}
        stmt = (
            select(ReceiptRow.file_id, func.count())
            .where(ReceiptRow.file_id.in_(file_ids), ReceiptRow.sender == sender)
            .group_by(ReceiptRow.file_id)
        )
        return {str(f): int(n) for f, n in (await self._session.execute(stmt)).all()}

    async def receipts_of(self, file_id: str) -> list[ReceiptRow]:
        """The receipts filed in the file, by 収受日 and 収受番号."""
        stmt = (
            select(ReceiptRow)
            .where(ReceiptRow.file_id == file_id)
            .order_by(ReceiptRow.received_on, ReceiptRow.receipt_serial, ReceiptRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def search(
        self, viewer: Viewer, filters: SearchFilters, *, limit: int, offset: int
    ) -> tuple[list[tuple[DocumentRow, RecordFileRow | None]], int]:
        """The documents ``viewer`` may see that match ``filters``, newest first, with their files."""
        conditions: list[ColumnElement[bool]] = [visible_to(viewer)]
        conditions += [DocumentRow.title.ilike(_contains(t), escape="\\") for t in filters.terms]
        if filters.number:
            conditions.append(DocumentRow.number_display.ilike(_contains(filters.number), escape="\\"))
        if filters.fiscal_year is not None and filters.fiscal_year_bounds is not None:
            start, end = filters.fiscal_year_bounds
            conditions.append(
                or_(
                    DocumentRow.number_fiscal_year == filters.fiscal_year,
                    and_(
                        DocumentRow.number_fiscal_year.is_(None),
                        DocumentRow.created_at >= start,
                        DocumentRow.created_at < end,
                    ),
                )
            )
        if filters.unit:
            conditions.append(_in_unit(DocumentRow.org_unit_code, filters.unit))
        if filters.classification:
            conditions.append(
                RecordFileRow.classification_path.like(_contains(f"/{filters.classification}/"), escape="\\")
            )
        if filters.drafter:
            conditions.append(DocumentRow.drafter_id == filters.drafter)
        if filters.drafted_from is not None:
            conditions.append(DocumentRow.created_at >= filters.drafted_from)
        if filters.drafted_before is not None:
            conditions.append(DocumentRow.created_at < filters.drafted_before)
        stmt = (
            select(DocumentRow, RecordFileRow)
            .outerjoin(RecordFileRow, RecordFileRow.id == DocumentRow.file_id)
            .where(*conditions)
            .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
        )
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = int(await self._session.scalar(counted) or 0)
        rows = (await self._session.execute(stmt.limit(limit).offset(offset))).all()
        return [(doc, file) for doc, file in rows], total


def _in_unit(column: InstrumentedAttribute[str], unit: str) -> ColumnElement[bool]:
    """A unit and the units under it (``somu`` holds ``somu.somu``)."""
    return or_(column == unit, column.like(_contains(f"{unit}.")[1:], escape="\\"))
