"""What operators watch, counted from the read model at scrape time (GET /metrics): one snapshot, four queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEventRow, DocumentRow, NotificationDeliveryRow, NotificationRow, RouteStepRow
from domain.chain import DECISION_ACTIONS


@dataclass(frozen=True)
class OperationsSnapshot:
    """Counts by label, and the oldest moments (None when there is nothing waiting)."""

    decisions_by_action: dict[str, int]
    documents_by_status: dict[str, int]
    outbox_depth: int
    oldest_undelivered_at: datetime | None
    oldest_pending_step_since: datetime | None


class OperationsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def snapshot(self) -> OperationsSnapshot:
        decisions = await self.session.execute(
            select(AuditEventRow.action, func.count())
            .where(AuditEventRow.action.in_(sorted(DECISION_ACTIONS)))
            .group_by(AuditEventRow.action)
        )
        documents = await self.session.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status))
        # 未配信: notices the dispatcher has not planned yet, or with a delivery still pending (retrying).
        pending_delivery = (
            select(NotificationDeliveryRow.id)
            .where(NotificationDeliveryRow.notification_id == NotificationRow.id)
            .where(NotificationDeliveryRow.state == "pending")
            .exists()
        )
        undelivered = await self.session.execute(
            select(func.count(), func.min(NotificationRow.created_at)).where(
                or_(NotificationRow.planned_at.is_(None), pending_delivery)
            )
        )
        depth, oldest_notice = undelivered.one()
        oldest_step = await self.session.scalar(
            select(func.min(RouteStepRow.since)).where(RouteStepRow.state == "pending")
        )
        # min() keeps the column type (UtcDateTime): aware datetimes on both backends.
        return OperationsSnapshot(
            decisions_by_action={action: count for action, count in decisions.all()},
            documents_by_status={status: count for status, count in documents.all()},
            outbox_depth=int(depth),
            oldest_undelivered_at=oldest_notice,
            oldest_pending_step_since=oldest_step,
        )
