"""Notices (activity): 督促 (reminder) to the assignees, エスカレーション to their superiors.

Written to the notifications outbox; chat and mail delivery read from there.  A notice names the document but
never carries its body, and for 機密性2+ not even its title.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notice_text import display_name, subject
from db.models import DocumentRow
from db.repositories.notifications import NotificationRepository
from db.session import begin_write
from domain.levels import LEVELS
from domain.routes import unit_for_level
from integrations.hr import HrClient, HrNotFound
from schemas.document import DeadlineNotice, RecordsOfficeNotice
from schemas.org import StaffRef

log = structlog.get_logger("ringi.notifications")

RECORDS_OFFICE = "somu.somu"  # 総務課: 文書担当


def safe_name(document: DocumentRow) -> str:
    """How a notice names a document: the title only for 機密性1, else a placeholder; never the body."""
    return display_name(document)


def subject_for(document: DocumentRow, kind: str) -> str:
    """A subject that is safe for chat."""
    return subject(kind, safe_name(document), {})


class NotificationActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], hr: HrClient) -> None:
        self._sessions = sessions
        self._hr = hr

    @activity.defn(name="notify_deadline")
    async def notify_deadline(self, notice: DeadlineNotice) -> list[str]:
        """Write one notice per recipient, once (the dedupe key makes a retried activity harmless)."""
        recipients = list(notice.assignee_ids)
        if notice.kind == "escalate":
            recipients = [s.id for s in [await self._superior(a) for a in notice.assignee_ids] if s is not None]
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            document = await session.get(DocumentRow, notice.document_id)
            if document is None:
                return []
            stage_key = f"{notice.document_id}:{notice.kind}:{notice.stage_index}:{notice.stage_since.isoformat()}"
            for recipient in dict.fromkeys(recipients):
                key = f"{stage_key}:{recipient}"
                await NotificationRepository(session).add_once(
                    dedupe_key=key,
                    recipient_id=recipient,
                    document_id=notice.document_id,
                    kind=notice.kind,
                    subject=subject_for(document, notice.kind),
                    created_at=datetime.now(UTC),
                )
        log.info("notice.sent", document_id=notice.document_id, kind=notice.kind, recipients=recipients)
        return recipients

    @activity.defn(name="notify_records_office")
    async def notify_records_office(self, notice: RecordsOfficeNotice) -> list[str]:
        """文書担当 (総務課長) hears of anything that needs a person, e.g. a commitment 財務会計 refused."""
        recipients = [s.id for s in await self._hr.holders(RECORDS_OFFICE, "manager")]
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            document = await session.get(DocumentRow, notice.document_id)
            if document is None:
                return []
            what = safe_name(document)
            for recipient in recipients:
                await NotificationRepository(session).add_once(
                    dedupe_key=f"{notice.document_id}:records:{notice.reason[:80]}:{recipient}",
                    recipient_id=recipient,
                    document_id=notice.document_id,
                    kind="records",
                    subject=subject("records", what, {"reason": notice.reason}),
                    created_at=datetime.now(UTC),
                    detail={"reason": notice.reason[:300]},
                )
        log.warning("notice.records_office", document_id=notice.document_id, reason=notice.reason)
        return recipients

    async def _superior(self, staff_id: str) -> StaffRef | None:
        """The holder of the next level up the line (係長・主事 → 課長 → 部長 → 副市長 → 市長)."""
        try:
            staff = await self._hr.get_staff(staff_id)
            unit = await self._hr.get_org_unit(staff.org_unit.code)
        except HrNotFound:
            return None
        post = staff.post.code
        above = LEVELS[LEVELS.index(post) + 1 :] if post in LEVELS else LEVELS
        for level in above:
            code = unit_for_level(level, unit)
            holders = await self._hr.holders(code, level) if code else []
            if holders and holders[0].id != staff_id:
                return holders[0]
        return None
