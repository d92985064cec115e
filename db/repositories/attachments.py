"""Attachments (添付ファイル) of documents: metadata only; the bytes are in the attachment store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AttachmentRow


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
