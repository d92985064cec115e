"""Documents and their route steps (the inbox read model)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentRow, PostReviewRow, RouteStepRow


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, document: DocumentRow) -> None:
        self._session.add(document)

    async def get(self, document_id: str, *, for_update: bool = False) -> DocumentRow | None:
        stmt = select(DocumentRow).where(DocumentRow.id == document_id)
        if for_update:
            # FOR NO KEY UPDATE: an append to the document's audit chain (its foreign-key check takes KEY SHARE on
            # this row) must not wait for us while we wait for the chain's head lock it holds (a deadlock).
            stmt = stmt.with_for_update(key_share=True)
        return (await self._session.scalars(stmt)).one_or_none()

    async def confidentialities(self, document_ids: list[str]) -> list[int]:
        """The 機密性 of each of ``document_ids`` that exists."""
        if not document_ids:
            return []
        stmt = select(DocumentRow.confidentiality).where(DocumentRow.id.in_(sorted(set(document_ids))))
        return list((await self._session.scalars(stmt)).all())

    async def list_by_drafter(
        self, drafter_id: str, *, limit: int, offset: int, statuses: Sequence[str] = ()
    ) -> tuple[list[DocumentRow], int]:
        where = DocumentRow.drafter_id == drafter_id
        if statuses:
            where = where & DocumentRow.status.in_(statuses)
        total = await self._session.scalar(select(func.count()).select_from(DocumentRow).where(where))
        stmt = (
            select(DocumentRow)
            .where(where)
            .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self._session.scalars(stmt)).all()), int(total or 0)


class RouteStepRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, document_id: str, steps: Sequence[dict[str, Any]]) -> None:
        """The steps are a pure function of the chain state: rewrite them whole (one bulk insert)."""
        await self._session.execute(delete(RouteStepRow).where(RouteStepRow.document_id == document_id))
        if steps:
            await self._session.execute(insert(RouteStepRow), list(steps))

    async def for_document(self, document_id: str) -> list[RouteStepRow]:
        stmt = (
            select(RouteStepRow)
            .where(RouteStepRow.document_id == document_id)
            .order_by(RouteStepRow.stage_index, RouteStepRow.assignee_id)
        )
        return list((await self._session.scalars(stmt)).all())

    async def inbox(
        self, *assignee_ids: str, kinds: tuple[str, ...] | None = None
    ) -> list[tuple[RouteStepRow, DocumentRow]]:
        """The assignees' pending steps (optionally of some stage kinds only), oldest first."""
        conditions = [RouteStepRow.assignee_id.in_(assignee_ids), RouteStepRow.state == "pending"]
        if kinds is not None:
            conditions.append(RouteStepRow.stage_kind.in_(kinds))
        stmt = (
            select(RouteStepRow, DocumentRow)
            .join(DocumentRow, DocumentRow.id == RouteStepRow.document_id)
            .where(*conditions)
            .order_by(RouteStepRow.since, RouteStepRow.document_id)
        )
        return [(step, doc) for step, doc in (await self._session.execute(stmt)).all()]


class PostReviewRepository:
    """後閲 owed on documents (rewritten with the rest of the read model by the projection)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_document(self, document_id: str) -> list[PostReviewRow]:
        stmt = select(PostReviewRow).where(PostReviewRow.document_id == document_id).order_by(PostReviewRow.id)
        return list((await self._session.scalars(stmt)).all())

    async def open_for(self, staff_id: str) -> list[tuple[PostReviewRow, DocumentRow]]:
        stmt = (
            select(PostReviewRow, DocumentRow)
            .join(DocumentRow, DocumentRow.id == PostReviewRow.document_id)
            .where(PostReviewRow.staff_id == staff_id, PostReviewRow.acknowledged_at.is_(None))
            .order_by(PostReviewRow.owed_since)
        )
        return [(review, doc) for review, doc in (await self._session.execute(stmt)).all()]

    async def replace(self, document_id: str, rows: Sequence[dict[str, Any]]) -> None:
        await self._session.execute(delete(PostReviewRow).where(PostReviewRow.document_id == document_id))
        if rows:
            await self._session.execute(insert(PostReviewRow), list(rows))
