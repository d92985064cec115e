"""Notification preferences and deliveries: what the dispatcher plans, claims, and records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    DocumentRow,
    NotificationAttemptRow,
    NotificationDeliveryRow,
    NotificationPreferenceRow,
    NotificationRow,
    ReceiptRow,
)


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, staff_id: str) -> NotificationPreferenceRow | None:
        return await self._session.get(NotificationPreferenceRow, staff_id)

    async def for_staff(self, staff_ids: Sequence[str]) -> dict[str, NotificationPreferenceRow]:
        if not staff_ids:
            return {}
        stmt = select(NotificationPreferenceRow).where(NotificationPreferenceRow.staff_id.in_(set(staff_ids)))
        return {row.staff_id: row for row in (await self._session.scalars(stmt)).all()}

    async def put(
        self,
        *,
        staff_id: str,
        channels: list[str],
        email: str | None,
        chat_user_id: str | None,
        quiet_start: str | None,
        quiet_end: str | None,
        updated_at: datetime,
    ) -> NotificationPreferenceRow:
        row = await self.get(staff_id)
        if row is None:
            row = NotificationPreferenceRow(staff_id=staff_id)
            self._session.add(row)
        row.channels = channels
        row.email = email
        row.chat_user_id = chat_user_id
        row.quiet_start = quiet_start
        row.quiet_end = quiet_end
        row.updated_at = updated_at
        await self._session.flush()
        return row


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def unplanned(self, *, limit: int) -> list[NotificationRow]:
        stmt = (  # a document's notices and a receipt's (供覧, 回答期限) go out alike
            select(NotificationRow)
            .where(
                NotificationRow.planned_at.is_(None),
                or_(NotificationRow.document_id.is_not(None), NotificationRow.receipt_id.is_not(None)),
            )
            .order_by(NotificationRow.id)
        )
        return list((await self._session.scalars(stmt.limit(limit))).all())

    async def mark_planned(self, notification_id: int, at: datetime) -> bool:
        """Claim the planning of a notice; False if another dispatcher did it first."""
        stmt = (
            update(NotificationRow)
            .where(NotificationRow.id == notification_id, NotificationRow.planned_at.is_(None))
            .values(planned_at=at)
        )
        result: CursorResult[tuple[()]] = await self._session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    async def add(
        self, *, notification_id: int, channel: str, state: str, next_attempt_at: datetime, last_error: str = ""
    ) -> None:
        """One delivery per notice and channel, whoever plans it (the unique key keeps the first)."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(NotificationDeliveryRow).values(
            notification_id=notification_id,
            channel=channel,
            state=state,
            attempts=0,
            next_attempt_at=next_attempt_at,
            last_error=last_error,
        )
        await self._session.execute(stmt.on_conflict_do_nothing(index_elements=["notification_id", "channel"]))

    async def due(self, now: datetime, *, limit: int) -> list[NotificationDeliveryRow]:
        stmt = (
            select(NotificationDeliveryRow)
            .where(
                NotificationDeliveryRow.state == "pending",
                NotificationDeliveryRow.next_attempt_at <= now,
                or_(NotificationDeliveryRow.lease_until.is_(None), NotificationDeliveryRow.lease_until < now),
            )
            .order_by(NotificationDeliveryRow.next_attempt_at, NotificationDeliveryRow.id)
            .limit(limit)
        )
        return list((await self._session.scalars(stmt)).all())

    async def lease(self, delivery_id: int, now: datetime, until: datetime) -> bool:
        """Take a due delivery for sending; False if another dispatcher holds it (or it is no longer pending)."""
        stmt = (
            update(NotificationDeliveryRow)
            .where(
                NotificationDeliveryRow.id == delivery_id,
                NotificationDeliveryRow.state == "pending",
                or_(NotificationDeliveryRow.lease_until.is_(None), NotificationDeliveryRow.lease_until < now),
            )
            .values(lease_until=until)
        )
        result: CursorResult[tuple[()]] = await self._session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    async def release(self, delivery_ids: Sequence[int], until: datetime) -> int:
        """Give back the leases taken until ``until`` (only those still held so, and still pending): how many."""
        stmt = (
            update(NotificationDeliveryRow)
            .where(
                NotificationDeliveryRow.id.in_(set(delivery_ids)),
                NotificationDeliveryRow.state == "pending",
                NotificationDeliveryRow.lease_until == until,
            )
            .values(lease_until=None)
        )
        result: CursorResult[tuple[()]] = await self._session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount

    async def context(
        self, notification_ids: Sequence[int]
    ) -> dict[int, tuple[NotificationRow, DocumentRow | ReceiptRow]]:
        """The notices and what each is about (its document, or for a receipt's notice its receipt), by notice id."""
        ids = set(notification_ids)
        documents = (
            select(NotificationRow, DocumentRow)
            .join(DocumentRow, DocumentRow.id == NotificationRow.document_id)
            .where(NotificationRow.id.in_(ids))
        )
        receipts = (
            select(NotificationRow, ReceiptRow)
            .join(ReceiptRow, ReceiptRow.id == NotificationRow.receipt_id)
            .where(NotificationRow.id.in_(ids), NotificationRow.document_id.is_(None))
        )
        found: dict[int, tuple[NotificationRow, DocumentRow | ReceiptRow]] = {
            notice.id: (notice, document) for notice, document in (await self._session.execute(documents)).all()
        }
        for notice, receipt in (await self._session.execute(receipts)).all():
            found[notice.id] = (notice, receipt)
        return found

    async def get(self, delivery_id: int) -> NotificationDeliveryRow | None:
        return await self._session.get(NotificationDeliveryRow, delivery_id)

    def record_attempt(self, *, delivery_id: int, at: datetime, address: str, ok: bool, error: str = "") -> None:
        self._session.add(NotificationAttemptRow(delivery_id=delivery_id, at=at, address=address, ok=ok, error=error))

    async def attempts(self, delivery_id: int) -> list[NotificationAttemptRow]:
        stmt = select(NotificationAttemptRow).where(NotificationAttemptRow.delivery_id == delivery_id)
        return list((await self._session.scalars(stmt.order_by(NotificationAttemptRow.id))).all())
