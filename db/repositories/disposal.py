"""Disposal review (廃棄・移管の審査): reviews per fiscal year, their items, the permanent 廃棄記録."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    DisposalRecordRow,
    DisposalReviewFileRow,
    DisposalReviewItemRow,
    DisposalReviewRow,
    DocumentRow,
    FileDisposalRecordRow,
    RecordFileRow,
)
from db.repositories.paging import page_of


class DisposalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def session(self) -> AsyncSession:
        return self._session

    def add(
        self,
        row: DisposalReviewRow
        | DisposalReviewItemRow
        | DisposalRecordRow
        | DisposalReviewFileRow
        | FileDisposalRecordRow,
    ) -> None:
        self._session.add(row)

    async def flush(self) -> None:
        await self._session.flush()

    async def get(self, review_id: str, *, for_update: bool = False) -> DisposalReviewRow | None:
        stmt = select(DisposalReviewRow).where(DisposalReviewRow.id == review_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def live(self, fiscal_year: int) -> DisposalReviewRow | None:
        """The fiscal year's review that counts (open, submitted or applied), if any."""
        stmt = select(DisposalReviewRow).where(DisposalReviewRow.live_fiscal_year == fiscal_year)
        return (await self._session.scalars(stmt)).one_or_none()

    async def by_document(self, document_id: str, *, for_update: bool = False) -> DisposalReviewRow | None:
        """The review whose 廃棄決裁 is ``document_id``."""
        stmt = select(DisposalReviewRow).where(DisposalReviewRow.document_id == document_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def all(self) -> list[DisposalReviewRow]:
        stmt = select(DisposalReviewRow).order_by(DisposalReviewRow.fiscal_year.desc(), DisposalReviewRow.opened_at)
        return list((await self._session.scalars(stmt)).all())

    async def reviews_page(self, *, limit: int, offset: int) -> tuple[list[DisposalReviewRow], int]:
        """A page of the reviews, newest fiscal year first, and how many there are."""
        stmt = select(DisposalReviewRow).order_by(
            DisposalReviewRow.fiscal_year.desc(), DisposalReviewRow.opened_at, DisposalReviewRow.id
        )
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def items(self, review_id: str) -> list[DisposalReviewItemRow]:
        stmt = (
            select(DisposalReviewItemRow)
            .where(DisposalReviewItemRow.review_id == review_id)
            .order_by(
                DisposalReviewItemRow.org_unit_code, DisposalReviewItemRow.number, DisposalReviewItemRow.document_id
            )
        )
        return list((await self._session.scalars(stmt)).all())

    async def item(self, review_id: str, document_id: str, *, for_update: bool = False) -> DisposalReviewItemRow | None:
        stmt = select(DisposalReviewItemRow).where(
            DisposalReviewItemRow.review_id == review_id, DisposalReviewItemRow.document_id == document_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def expiring(self, expires_on: date) -> list[DocumentRow]:
        """Completed, active, non-permanent documents whose retention expires on ``expires_on`` (a March 31)."""
        stmt = (
            select(DocumentRow)
            .where(
                DocumentRow.records_status == "active",
                DocumentRow.retention_expires_on == expires_on,
                DocumentRow.retention_permanent.is_(False),
                DocumentRow.completed_at.is_not(None),
                DocumentRow.file_id.is_(None),  # a filed document is listed with its file, by the file's expiry
            )
            .order_by(DocumentRow.org_unit_code, DocumentRow.number_display, DocumentRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def records(self, *, limit: int, offset: int) -> tuple[list[DisposalRecordRow], int]:
        """A page of the 廃棄記録, oldest first, and how many there are (they are kept permanently)."""
        stmt = select(DisposalRecordRow).order_by(DisposalRecordRow.disposed_at, DisposalRecordRow.id)
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def record_of(self, document_id: str) -> DisposalRecordRow | None:
        stmt = select(DisposalRecordRow).where(DisposalRecordRow.document_id == document_id)
        return (await self._session.scalars(stmt)).one_or_none()

    async def record_of_file(self, file_id: str) -> FileDisposalRecordRow | None:
        stmt = select(FileDisposalRecordRow).where(FileDisposalRecordRow.file_id == file_id)
        return (await self._session.scalars(stmt)).one_or_none()

    async def file_records(self, *, limit: int, offset: int) -> tuple[list[FileDisposalRecordRow], int]:
        """A page of the files' 廃棄記録, oldest first."""
        stmt = select(FileDisposalRecordRow).order_by(FileDisposalRecordRow.disposed_at, FileDisposalRecordRow.id)
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def files(self, review_id: str) -> list[DisposalReviewFileRow]:
        stmt = (
            select(DisposalReviewFileRow)
            .where(DisposalReviewFileRow.review_id == review_id)
            .order_by(
                DisposalReviewFileRow.org_unit_code,
                DisposalReviewFileRow.classification_code,
                DisposalReviewFileRow.title,
                DisposalReviewFileRow.file_id,
            )
        )
        return list((await self._session.scalars(stmt)).all())

    async def file(self, review_id: str, file_id: str, *, for_update: bool = False) -> DisposalReviewFileRow | None:
        stmt = select(DisposalReviewFileRow).where(
            DisposalReviewFileRow.review_id == review_id, DisposalReviewFileRow.file_id == file_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def items_of_file(self, review_id: str, file_id: str) -> list[DisposalReviewItemRow]:
        stmt = select(DisposalReviewItemRow).where(
            DisposalReviewItemRow.review_id == review_id, DisposalReviewItemRow.file_id == file_id
        )
        return list((await self._session.scalars(stmt)).all())

    async def candidate_files(self) -> list[RecordFileRow]:
        """Active files of a limited retention (their expiry depends on their documents: the caller computes it)."""
        stmt = (
            select(RecordFileRow)
            .where(RecordFileRow.records_status == "active", RecordFileRow.retention_permanent.is_(False))
            .order_by(RecordFileRow.org_unit_code, RecordFileRow.classification_code, RecordFileRow.id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def filed_documents(self, file_id: str) -> list[DocumentRow]:
        """The active, completed documents of a file (what its disposal applies to)."""
        stmt = (
            select(DocumentRow)
            .where(
                DocumentRow.file_id == file_id,
                DocumentRow.records_status == "active",
                DocumentRow.completed_at.is_not(None),
            )
            .order_by(DocumentRow.number_display, DocumentRow.id)
        )
        return list((await self._session.scalars(stmt)).all())
