"""Receipt notices (activity): 供覧 requests and reminders to its readers, 回答期限 reminders to the assigned unit
and the alert to its 課長 once the deadline has passed.

The plans are dates in 開庁日 (core/calendar.py) from the settings; whom each notice goes to, and whether it is still
needed, is domain/receipts.py's rule, asked of the database as it is when the notice is due.  Notices go to the
notifications outbox in-app (``planned_at`` set: the chat and mail dispatcher carries document notices only) and
name a 機密性2+ receipt by its 収受番号 only, never its title or content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notice_text import receipt_name, subject
from core.calendar import JST, OPENING_TIME, add_business_days, business_days_before, next_business_day
from core.settings import Settings
from db.models import DocumentRow, ReceiptRow
from db.repositories.notifications import NotificationRepository
from db.repositories.receipts import ReceiptRepository
from db.session import begin_write
from domain.receipts import (
    Reading,
    circulating,
    circulation_reminder_days,
    reply_notice_recipients,
    reply_pending,
    unread,
)
from domain.statuses import DECIDED
from integrations.hr import HrClient, HrNotFound
from schemas.receipts import (
    CirculationInput,
    CirculationNotice,
    CirculationPlan,
    PlannedNotice,
    ReplyDeadlineInput,
    ReplyDeadlineNotice,
    ReplyPlan,
)

log = structlog.get_logger("ringi.receipts")

#: A receipt not in the database is looked for this many times (about a quarter of an hour with the workflow's
#: retry policy) before its 回答期限 workflow gives up: its registration rolled back.
GIVE_UP_AFTER_ATTEMPTS = 12


@dataclass(frozen=True)
class ReceiptTimers:
    """When receipt notices fall, in business days (RINGI_CIRCULATION_*, RINGI_REPLY_REMIND_DAYS_BEFORE)."""

    circulation_remind_after_days: int = 2
    circulation_remind_every_days: int = 2
    circulation_reminders: int = 3
    reply_remind_days_before: tuple[int, ...] = (3, 1)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReceiptTimers:
        return cls(
            circulation_remind_after_days=settings.circulation_remind_after_days,
            circulation_remind_every_days=settings.circulation_remind_every_days,
            circulation_reminders=settings.circulation_reminders,
            reply_remind_days_before=settings.reply_remind_days_before,
        )


def at_opening(day: date) -> datetime:
    """開庁時刻 (08:30 JST) of ``day``, in UTC."""
    return datetime.combine(day, time(OPENING_TIME.hour, OPENING_TIME.minute, tzinfo=JST)).astimezone(UTC)


def circulation_plan(start: CirculationInput, timers: ReceiptTimers) -> CirculationPlan:
    days = circulation_reminder_days(
        after=timers.circulation_remind_after_days,
        every=timers.circulation_remind_every_days,
        count=timers.circulation_reminders,
    )
    reminders = tuple(
        PlannedNotice(kind="circulation_remind", at=add_business_days(start.started_at, n), key=f"remind:{n}")
        for n in days
    )
    return CirculationPlan(notices=(PlannedNotice(kind="circulate", at=start.started_at, key="circulate"), *reminders))


def reply_notices(reply_by: date, timers: ReceiptTimers) -> tuple[PlannedNotice, ...]:
    """予告 at the opening of each of the configured business days before the deadline, 期限超過 at the opening of
    the first business day after it.  Keys carry the date, so a corrected 回答期限 plans afresh."""
    reminders = [
        PlannedNotice(
            kind="reply_remind", at=at_opening(business_days_before(reply_by, n)), key=f"remind:{reply_by}:{n}"
        )
        for n in sorted(set(timers.reply_remind_days_before), reverse=True)
        if n >= 1
    ]
    overdue = PlannedNotice(kind="reply_overdue", at=at_opening(next_business_day(reply_by)), key=f"overdue:{reply_by}")
    return (*reminders, overdue)


class ReceiptActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], hr: HrClient, timers: ReceiptTimers) -> None:
        self._sessions = sessions
        self._hr = hr
        self._timers = timers

    @activity.defn(name="plan_circulation")
    async def plan_circulation(self, start: CirculationInput) -> CirculationPlan:
        return circulation_plan(start, self._timers)

    @activity.defn(name="notify_circulation")
    async def notify_circulation(self, notice: CirculationNotice) -> list[str]:
        """The 供覧依頼, or a reminder, to the readers the database shows unread; answers who is still unread (empty:
        the 供覧 is complete, or it was never committed, and the workflow ends)."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repo = ReceiptRepository(session)
            # The row lock waits for the API's transaction that started the 供覧 (it starts the workflow first).
            receipt = await repo.get(notice.receipt_id, for_update=True)
            if receipt is None or not circulating(branch=receipt.branch, outcome=receipt.outcome):
                return []
            rows = await repo.readers(receipt.id)
            recipients = unread({r.reader_id: Reading(r.reader_id, r.read_at, r.comment) for r in rows})
            await _write(session, receipt, notice.notice, recipients, {})
        log.info("receipt.circulation_notice", receipt_id=notice.receipt_id, kind=notice.notice.kind, to=recipients)
        return list(recipients)

    @activity.defn(name="plan_reply_deadline")
    async def plan_reply_deadline(self, request: ReplyDeadlineInput) -> ReplyPlan:
        """The 回答期限 the receipt has now (a correction may have moved it) and whether a reply is still owed."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            # The row lock waits for a correction under way; a receipt whose registration is not committed yet
            # is retried (the API starts the workflow before it commits).
            receipt = await ReceiptRepository(session).get(request.receipt_id, for_update=True)
            if receipt is None:
                if activity.info().attempt >= GIVE_UP_AFTER_ATTEMPTS:
                    return ReplyPlan(open=False)  # the registration never committed
                raise ApplicationError(f"receipt {request.receipt_id} is not in the database", type="ReceiptNotFound")
            if receipt.reply_by is None or not await _reply_owed(session, receipt):
                return ReplyPlan(open=False)
            return ReplyPlan(
                open=True, reply_by=receipt.reply_by, notices=reply_notices(receipt.reply_by, self._timers)
            )

    @activity.defn(name="notify_reply_deadline")
    async def notify_reply_deadline(self, notice: ReplyDeadlineNotice) -> bool:
        """予告 or 期限超過, unless the reply was decided or the receipt closed meanwhile (then False: no more)."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            receipt = await ReceiptRepository(session).get(notice.receipt_id)
            if receipt is None or not await _reply_owed(session, receipt):
                return False
            if receipt.reply_by != notice.reply_by:
                return True  # corrected meanwhile: the workflow plans again from the new date
            drafter = await _reply_drafter(session, receipt)
            chiefs, managers = (
                await self._holders(receipt.assigned_unit, "chief"),
                await self._holders(receipt.assigned_unit, "manager"),
            )
            recipients = reply_notice_recipients(
                notice.notice.kind, drafter_id=drafter, chiefs=chiefs, managers=managers
            )
            await _write(session, receipt, notice.notice, recipients, {"reply_by": notice.reply_by.isoformat()})
        log.info("receipt.reply_deadline_notice", receipt_id=notice.receipt_id, kind=notice.notice.kind, to=recipients)
        return True

    async def _holders(self, unit: str, post: str) -> list[str]:
        try:
            return [s.id for s in await self._hr.holders(unit, post)]
        except HrNotFound:
            return []


async def _reply_owed(session: AsyncSession, receipt: ReceiptRow) -> bool:
    reply = await session.get(DocumentRow, receipt.reply_document_id) if receipt.reply_document_id else None
    decided = reply is not None and reply.status in DECIDED
    return reply_pending(branch=receipt.branch, outcome=receipt.outcome, reply_decided=decided)


async def _reply_drafter(session: AsyncSession, receipt: ReceiptRow) -> str | None:
    reply = await session.get(DocumentRow, receipt.reply_document_id) if receipt.reply_document_id else None
    return reply.drafter_id if reply is not None else None


async def _write(
    session: AsyncSession,
    receipt: ReceiptRow,
    notice: PlannedNotice,
    recipients: tuple[str, ...] | list[str],
    detail: dict[str, Any],
) -> None:
    """One in-app notice per recipient, once per planned notice (a retried activity writes nothing twice)."""
    now = datetime.now(UTC)
    text = subject(notice.kind, receipt_name(receipt), detail)
    await NotificationRepository(session).add_all_once(
        [
            {
                "dedupe_key": f"receipt:{receipt.id}:{notice.key}:{recipient}"[:200],
                "recipient_id": recipient,
                "document_id": None,
                "receipt_id": receipt.id,
                "kind": notice.kind,
                "subject": text,
                "created_at": now,
                "detail": detail,
                # planned_at stays None: the dispatcher sends it by mail and chat as the recipient chose
            }
            for recipient in dict.fromkeys(recipients)
        ]
    )
