"""Delivery of notices (通知の配信): the outbox, over each recipient's chosen channels (chat, mail).

A dispatcher loop in the worker process, not an activity per notice.  The notices are written by the projection
and the deadline activity in the same transaction as what they announce; delivering them needs no workflow: a
Temporal activity per notice would add history events and a workflow (or a change to DocumentWorkflow) per
notice, and could not hold a notice back until quiet hours end without a timer per notice.  The outbox already
is durable state, so the dispatcher only needs:

* **planning**: one delivery row per notice and channel the recipient chose (a unique key), made once.  An
  ``assigned`` 決裁 notice for a decider HR reports absent today is also forwarded to the 代決者 the chain would
  accept (``domain.acting``: the first present in the 代決順位, and only for a matter 代決 may decide).
* **claiming**: a due delivery is leased (an UPDATE that only one dispatcher wins), so several workers can run.
* **sending**: outside any transaction; then the result and the attempt are recorded.  A failure backs off
  exponentially (``notify_retry_seconds`` doubling, at most an hour) and gives up after ``notify_max_attempts``;
  each channel is its own delivery, so a failing one delays no other.
* **quiet hours**: a delivery due inside the recipient's quiet hours (JST) is deferred to their end, never
  dropped.  Escalations too: deadlines count business days, so nothing a notice announces is more urgent than
  the next morning, and the in-app list (GET /v1/notifications) shows every notice at once regardless.

Exactly-once delivery is impossible over SMTP or a chat API: a crash after the server took a message and before
the dispatcher recorded it sends it again when the lease expires (at-least-once).  Mail carries a Message-ID and
chat messages a metadata key derived from the notice and channel, so the duplicate is recognisable.  A retried
planning or claiming step sends nothing twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.notice_text import display_name, render, render_receipt, subject
from activities.transition_notices import NoticeDraft
from core.quiet_hours import JST, parse_hhmm, quiet_until
from core.settings import Settings
from db.models import DocumentRow, NotificationDeliveryRow, NotificationPreferenceRow, NotificationRow, ReceiptRow
from db.repositories.deliveries import DeliveryRepository, PreferenceRepository
from db.repositories.notifications import NotificationRepository
from db.session import begin_write
from domain.acting import designated_substitute
from integrations.chat import ChatClient, ChatMessage
from integrations.hr import HrClient, HrNotFound
from integrations.mail import MailClient, MailMessage
from integrations.substitution import substitution_facts

log = structlog.get_logger("ringi.delivery")

CHANNELS = ("chat", "email")
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=5)


@dataclass
class DispatchReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    forwarded: list[str] = field(default_factory=list)  # 代決者 who got an absent decider's notice


@dataclass(frozen=True)
class _Outcome:
    state: Literal["sent", "retry", "failed", "deferred", "skipped"]
    address: str = ""
    error: str = ""
    next_at: datetime | None = None


class NoticeDispatcher:
    """Plans, claims and sends due deliveries; ``run`` loops until cancelled, ``run_once`` is one pass."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        chat: ChatClient | None = None,
        mail: MailClient | None = None,
        hr: HrClient | None = None,
        batch: int = 100,
        concurrency: int = 8,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._chat = chat
        self._mail = mail
        self._hr = hr
        self._batch = batch
        self._limit = asyncio.Semaphore(concurrency)

    async def run(self) -> None:
        """Until cancelled: a pass every ``notify_poll_seconds`` (at once again while a pass was full)."""
        while True:
            try:
                report = await self.run_once()
            except Exception:  # the database away for a moment: try again next round, never die
                log.exception("delivery.pass_failed")
                report = DispatchReport()
            if report.planned < self._batch and report.sent + report.failed < self._batch:
                await asyncio.sleep(self._settings.notify_poll_seconds)

    async def run_once(self, now: datetime | None = None) -> DispatchReport:
        now = now or datetime.now(UTC)
        report = DispatchReport()
        await self.plan(now, report)
        await self.deliver_due(now, report)
        return report

    # --- planning -------------------------------------------------------------------------------------------

    async def plan(self, now: datetime, report: DispatchReport) -> None:
        async with self._sessions() as session:
            notices = await DeliveryRepository(session).unplanned(limit=self._batch)
            targets = {n.id: await _target(session, n) for n in notices}
        for notice in notices:
            try:
                forward = await self._substitute_for(notice, now)
            except httpx.HTTPError as exc:  # HR away: plan this notice on a later pass
                log.warning("delivery.hr_unavailable", notification_id=notice.id, error=repr(exc))
                continue
            except Exception:  # an answer we cannot read must not hold the notice (nor the queue) back
                log.exception("delivery.substitute_lookup_failed", notification_id=notice.id)
                forward = None
            target = targets.get(notice.id)
            document = target if isinstance(target, DocumentRow) else None
            async with self._sessions() as session, session.begin():
                await begin_write(session)
                repository = DeliveryRepository(session)
                if not await repository.mark_planned(notice.id, now):
                    continue  # another dispatcher planned it
                preferences = await PreferenceRepository(session).get(notice.recipient_id)
                for channel in CHANNELS:
                    if preferences is None or channel not in preferences.channels:
                        continue
                    reason = self._unsendable(channel, target)
                    await repository.add(
                        notification_id=notice.id,
                        channel=channel,
                        state="skipped" if reason else "pending",
                        next_attempt_at=now,
                        last_error=reason,
                    )
                if forward is not None:
                    await self._forward(session, notice, forward, document, now)
                    report.forwarded.append(forward.recipient_id)
            report.planned += 1

    async def _substitute_for(self, notice: NotificationRow, now: datetime) -> NoticeDraft | None:
        """代決: a 決裁 that fell to a decider absent today is announced to their designated substitute too."""
        detail = notice.detail or {}
        if self._hr is None or notice.kind != "assigned" or detail.get("stage_kind") != "decide":
            return None
        # A forwarded notice is not forwarded again; a matter 代決 may not decide is nobody else's to decide.
        if detail.get("on_behalf_of") or detail.get("delegable") is False:
            return None
        today = now.astimezone(JST).date()
        try:
            if not await self._hr.is_absent(notice.recipient_id, on=today):
                return None
            line = await substitution_facts(self._hr, await self._hr.get_staff(notice.recipient_id), on=today)
        except HrNotFound:
            return None
        substitute = designated_substitute(line.order, line.absent_ids)
        if substitute is None:
            return None
        return NoticeDraft(
            dedupe_key=f"{notice.dedupe_key}:substitute:{substitute}",
            recipient_id=substitute,
            kind="assigned",
            detail={**detail, "on_behalf_of": notice.recipient_id},
        )

    async def _forward(
        self,
        session: AsyncSession,
        notice: NotificationRow,
        draft: NoticeDraft,
        document: DocumentRow | None,
        now: datetime,
    ) -> None:
        # Planned on a later pass like any notice (with the substitute's own preferences).
        if notice.document_id is None:  # a receipt's notice (in-app only) is never forwarded
            return
        name = display_name(document) if document is not None else notice.document_id[:8]
        await NotificationRepository(session).add_once(
            dedupe_key=draft.dedupe_key,
            recipient_id=draft.recipient_id,
            document_id=notice.document_id,
            kind=draft.kind,
            subject=subject(draft.kind, name, draft.detail),
            created_at=now,
            detail=draft.detail,
        )

    def _unsendable(self, channel: str, document: DocumentRow | ReceiptRow | None) -> str:
        """Why this channel cannot carry this notice at all ("" if it can): the same policy for a receipt's."""
        if document is None:
            return "the document is gone"
        if channel == "chat" and self._chat is None:
            return "chat is not configured (RINGI_CHAT_BASE_URL / RINGI_CHAT_WEBHOOK_URL)"
        if channel == "email" and self._mail is None:
            return "mail is not configured (RINGI_SMTP_HOST)"
        if channel == "chat" and document.confidentiality > self._settings.chat_max_confidentiality:
            return f"policy: confidentiality {document.confidentiality} is never announced in chat"
        return ""

    # --- sending --------------------------------------------------------------------------------------------

    async def deliver_due(self, now: datetime, report: DispatchReport) -> None:
        async with self._sessions() as session:  # a read first: an idle pass takes no write lock
            due = await DeliveryRepository(session).due(now, limit=self._batch)
        if not due:
            return
        until = now + LEASE
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repository = DeliveryRepository(session)
            claimed = [d for d in due if await repository.lease(d.id, now, until)]
            context = await repository.context([d.notification_id for d in claimed])
            preferences = await PreferenceRepository(session).for_staff([n.recipient_id for n, _ in context.values()])
        sending = [d for d in claimed if d.notification_id in context]
        try:
            results = await asyncio.gather(
                *(self._deliver(d, *context[d.notification_id], preferences, now) for d in sending),
                return_exceptions=True,  # every send ends (or fails) before the unrecorded leases are released
            )
        except asyncio.CancelledError:  # the worker stopping mid-pass: what is unrecorded is retried at once too
            await asyncio.shield(self._release([d.id for d in sending], until))
            raise
        unrecorded = [d.id for d, r in zip(sending, results, strict=True) if isinstance(r, BaseException)]
        if unrecorded:
            await self._release(unrecorded, until)
            raise next(r for r in results if isinstance(r, BaseException))
        outcomes = [r for r in results if isinstance(r, _Outcome)]
        for outcome in outcomes:
            if outcome.state == "sent":
                report.sent += 1
            elif outcome.state in ("retry", "failed"):
                report.failed += 1
            elif outcome.state == "deferred":
                report.deferred += 1
            else:
                report.skipped += 1

    async def _release(self, delivery_ids: list[int], until: datetime) -> None:
        """A pass that failed after leasing (the database lost mid-way, found by bench/chaos.py) gives back the
        leases it could not record, so the next pass retries them at once instead of after ``LEASE``.  Best effort,
        in a fresh transaction: if the database is still away, the leases expire as they would after a crash.  A
        delivery sent but not recorded is sent again (at-least-once, with the same Message-ID)."""
        try:
            async with self._sessions() as session, session.begin():
                await begin_write(session)
                released = await DeliveryRepository(session).release(delivery_ids, until)
        except Exception as exc:
            log.warning("delivery.release_failed", deliveries=len(delivery_ids), error=repr(exc)[:200])
            return
        log.info("delivery.leases_released", deliveries=released)

    async def _deliver(
        self,
        delivery: NotificationDeliveryRow,
        notice: NotificationRow,
        document: DocumentRow | ReceiptRow,
        preferences: dict[str, NotificationPreferenceRow],
        now: datetime,
    ) -> _Outcome:
        async with self._limit:
            outcome = await self._try(delivery, notice, document, preferences.get(notice.recipient_id), now)
        await self._record(delivery, outcome, now)
        log.info(
            "delivery.attempted",
            notification_id=notice.id,
            document_id=notice.document_id,
            channel=delivery.channel,
            outcome=outcome.state,
            error=outcome.error or None,
        )
        return outcome

    async def _try(
        self,
        delivery: NotificationDeliveryRow,
        notice: NotificationRow,
        document: DocumentRow | ReceiptRow,
        preferences: NotificationPreferenceRow | None,
        now: datetime,
    ) -> _Outcome:
        channel = delivery.channel
        if preferences is None or channel not in preferences.channels:
            return _Outcome("skipped", error=f"{channel} is no longer chosen by the recipient")
        reason = self._unsendable(channel, document)
        if reason:
            return _Outcome("skipped", error=reason)
        if preferences.quiet_start and preferences.quiet_end:
            until = quiet_until(now, parse_hhmm(preferences.quiet_start), parse_hhmm(preferences.quiet_end))
            if until is not None:
                return _Outcome("deferred", next_at=until)
        address = (preferences.email if channel == "email" else preferences.chat_user_id) or ""
        if not address:
            return _Outcome("skipped", error=f"no {channel} address")
        if isinstance(document, ReceiptRow):
            text = render_receipt(
                notice.kind,
                document,
                notice.detail or {},
                public_url=self._settings.public_url,
                names=self._settings.confidentiality_names,
            )
        else:
            text = render(
                notice.kind,
                document,
                notice.detail or {},
                public_url=self._settings.public_url,
                names=self._settings.confidentiality_names,
            )
        try:
            if channel == "email":
                assert self._mail is not None
                domain = self._settings.smtp_from.rpartition("@")[2] or "ringi.invalid"
                await self._mail.send(
                    MailMessage(
                        to=address,
                        subject=text.subject,
                        text=text.mail_body,
                        message_id=f"notice-{notice.id}.email@{domain}",
                    )
                )
            else:
                assert self._chat is not None
                await self._chat.send(
                    ChatMessage(recipient=address, text=text.chat_text, dedupe_key=f"notice-{notice.id}.chat")
                )
        except Exception as exc:  # any failure of one channel is that delivery's failed attempt, nothing more
            if delivery.attempts + 1 >= self._settings.notify_max_attempts:
                return _Outcome("failed", address=address, error=str(exc)[:1000])
            return _Outcome("retry", address=address, error=str(exc)[:1000], next_at=now + self._backoff(delivery))
        return _Outcome("sent", address=address)

    def _backoff(self, delivery: NotificationDeliveryRow) -> timedelta:
        first = timedelta(seconds=self._settings.notify_retry_seconds)
        return min(first * (1 << min(delivery.attempts, 16)), MAX_BACKOFF)

    async def _record(self, delivery: NotificationDeliveryRow, outcome: _Outcome, now: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repository = DeliveryRepository(session)
            row = await repository.get(delivery.id)
            if row is None:
                return
            row.lease_until = None
            if outcome.state == "deferred":
                assert outcome.next_at is not None
                row.next_attempt_at = outcome.next_at
                return
            if outcome.state == "skipped":
                row.state, row.last_error = "skipped", outcome.error
                return
            row.attempts += 1
            row.last_error = outcome.error
            repository.record_attempt(
                delivery_id=row.id, at=now, address=outcome.address, ok=outcome.state == "sent", error=outcome.error
            )
            if outcome.state == "sent":
                row.state, row.sent_at = "sent", now
            elif outcome.state == "failed":
                row.state = "failed"
            else:
                assert outcome.next_at is not None
                row.next_attempt_at = outcome.next_at


async def _target(session: AsyncSession, notice: NotificationRow) -> DocumentRow | ReceiptRow | None:
    """What a notice is about: its document, or (供覧, 回答期限) its receipt."""
    if notice.document_id is not None:
        return await session.get(DocumentRow, notice.document_id)
    if notice.receipt_id is not None:
        return await session.get(ReceiptRow, notice.receipt_id)
    return None
