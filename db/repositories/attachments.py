"""Attachments (添付ファイル) of documents: metadata only; the bytes are in the attachment store."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AttachmentOpenRow, AttachmentRow


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_document(self, document_id: str) -> list[AttachmentRow]:
        """The document's live attachments, by number."""
        stmt = (
            select(AttachmentRow)
            .where(AttachmentRow.document_id == document_id, AttachmentRow.deleted_at.is_(None))
            .order_by(AttachmentRow.n)
        )
        return list((await self._session.scalars(stmt)).all())

    async def get(self, document_id: str, n: int) -> AttachmentRow | None:
        """A live attachment (None when unknown or deleted)."""
        if not 1 <= n < 2**31:  # beyond any number, and beyond PostgreSQL's integer
            return None
        row = await self._session.get(AttachmentRow, (document_id, n))
        return row if row is not None and row.deleted_at is None else None

    async def add(
        self,
        *,
        document_id: str,
        filename: str,
        content_type: str,
        size_bytes: int,
        sha256: str,
        uploaded_by: str,
        uploaded_at: datetime,
    ) -> AttachmentRow:
        """The next number of the document (tombstones count: a number is never reused).  Caller holds the lock."""
        last = await self._session.scalar(
            select(func.max(AttachmentRow.n)).where(AttachmentRow.document_id == document_id)
        )
        row = AttachmentRow(
            document_id=document_id,
            n=int(last or 0) + 1,
            filename=filename,
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def references(self, sha256: str) -> int:
        """Live attachments (of any document) whose bytes have this hash."""
        stmt = select(func.count()).where(AttachmentRow.sha256 == sha256, AttachmentRow.deleted_at.is_(None))
        return int(await self._session.scalar(stmt) or 0)

    async def record_open(self, *, staff_id: str, document_id: str, n: int, at: datetime) -> None:
        """``staff_id`` opened attachment ``n`` (kept once: the first time)."""
        if await self._session.get(AttachmentOpenRow, (staff_id, document_id, n)) is None:
            self._session.add(AttachmentOpenRow(staff_id=staff_id, document_id=document_id, n=n, first_at=at))

    async def opened_by(self, staff_id: str, document_ids: Collection[str]) -> dict[str, set[int]]:
        """The attachment numbers ``staff_id`` has opened, per document."""
        opened: dict[str, set[int]] = {d: set() for d in document_ids}
        if not document_ids:
            return opened
        stmt = select(AttachmentOpenRow.document_id, AttachmentOpenRow.n).where(
            AttachmentOpenRow.staff_id == staff_id, AttachmentOpenRow.document_id.in_(list(document_ids))
        )
        for document_id, n in (await self._session.execute(stmt)).all():
            opened[document_id].add(n)
        return opened

    async def live_numbers(self, document_ids: Collection[str]) -> dict[str, set[int]]:
        """The numbers of each document's live attachments."""
        numbers: dict[str, set[int]] = {d: set() for d in document_ids}
        if not document_ids:
            return numbers
        stmt = select(AttachmentRow.document_id, AttachmentRow.n).where(
            AttachmentRow.document_id.in_(list(document_ids)), AttachmentRow.deleted_at.is_(None)
        )
        for document_id, n in (await self._session.execute(stmt)).all():
            numbers[document_id].add(n)
        return numbers
