"""The notifications outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NotificationRow


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_once(
        self,
        *,
        dedupe_key: str,
        recipient_id: str,
        document_id: str,
        kind: str,
        subject: str,
        created_at: datetime,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Insert unless a notice with the same key exists (a retried activity sends nothing twice)."""
        await self.add_all_once(
            [
                {
                    "dedupe_key": dedupe_key,
                    "recipient_id": recipient_id,
                    "document_id": document_id,
                    "kind": kind,
                    "subject": subject,
                    "created_at": created_at,
                    "detail": detail or {},
                }
            ]
        )

    async def add_all_once(self, notices: Sequence[dict[str, Any]]) -> None:
        """``add_once`` for each of ``notices`` (the columns of ``add_once``, ``detail`` given), in one statement."""
        if not notices:
            return
        bind = self._session.get_bind()
        insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(NotificationRow).values(list(notices))
        await self._session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))

    async def for_recipient(self, recipient_id: str) -> list[NotificationRow]:
        stmt = select(NotificationRow).where(NotificationRow.recipient_id == recipient_id).order_by(NotificationRow.id)
        return list((await self._session.scalars(stmt)).all())

    async def page_for_recipient(
        self, recipient_id: str, *, limit: int, offset: int
    ) -> tuple[list[NotificationRow], int]:
        """A page of the recipient's notices, newest first (by id: the order they were stored), and how many."""
        where = NotificationRow.recipient_id == recipient_id
        total = await self._session.scalar(select(func.count()).select_from(NotificationRow).where(where))
        stmt = select(NotificationRow).where(where).order_by(NotificationRow.id.desc()).limit(limit).offset(offset)
        return list((await self._session.scalars(stmt)).all()), int(total or 0)
