"""The receipt workflows: 供覧 (ReceiptCirculationWorkflow) and 回答期限 (ReplyDeadlineWorkflow).

Thin durable shells.  The API writes each step into the database (the 収受簿 and its event chain are the record,
written under the receipt's row lock) and tells the workflow afterwards by signal, so a reader's confirmation is
accepted while the workers are down; the workflows keep the business-day timers and send the notices, and every
notice asks the database first whether it is still needed (a lost signal costs at most a check).  Which notice
comes next and whom it reaches are domain/receipts.py's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from domain.receipts import next_notice
from schemas.receipts import (
    CirculationInput,
    CirculationNotice,
    CirculationResult,
    PlannedNotice,
    ReadingSignal,
    ReplyDeadlineInput,
    ReplyDeadlineNotice,
    ReplyDeadlineResult,
)

with workflow.unsafe.imports_passed_through():
    from activities.receipts import ReceiptActivities

NOTICE_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


def circulation_workflow_id(receipt_id: str) -> str:
    return f"receipt-circulation:{receipt_id}"


def reply_deadline_workflow_id(receipt_id: str) -> str:
    return f"receipt-reply:{receipt_id}"


def _until(notice: PlannedNotice) -> timedelta:
    return max(notice.at - workflow.now(), timedelta(0))


@workflow.defn
class ReceiptCirculationWorkflow:
    """供覧 of a received document: every named reader is asked to read it, those who have not confirmed are
    reminded on business days, and the workflow ends when all have read (the API completes the receipt, 供覧済,
    with the last confirmation) or the reminders are spent."""

    @workflow.init
    def __init__(self, start: CirculationInput) -> None:
        self._unread = set(start.reader_ids)
        self._sent: list[str] = []

    @workflow.run
    async def run(self, start: CirculationInput) -> CirculationResult:
        plan = await workflow.execute_activity_method(
            ReceiptActivities.plan_circulation, start, start_to_close_timeout=NOTICE_TIMEOUT, retry_policy=RETRY
        )
        while self._unread:
            due = next_notice(plan.notices, self._sent, workflow.now())
            if due is None:
                break  # reminders spent: the 供覧 stays open in the readers' lists
            try:
                await workflow.wait_condition(lambda: not self._unread, timeout=_until(due))
            except TimeoutError:
                still_unread = await workflow.execute_activity_method(
                    ReceiptActivities.notify_circulation,
                    CirculationNotice(receipt_id=start.receipt_id, notice=due, reader_ids=tuple(sorted(self._unread))),
                    start_to_close_timeout=NOTICE_TIMEOUT,
                    retry_policy=RETRY,
                )
                self._sent.append(due.key)
                self._unread &= set(still_unread)  # the database is the record
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CirculationResult(receipt_id=start.receipt_id, notices_sent=len(self._sent))

    @workflow.signal
    def read(self, reading: ReadingSignal) -> None:
        """閲覧済: the reader's confirmation is committed."""
        self._unread.discard(reading.reader_id)

    @workflow.query
    def unread(self) -> list[str]:
        return sorted(self._unread)


@workflow.defn
class ReplyDeadlineWorkflow:
    """回答期限 of a received document: its assigned unit is reminded on business days before the deadline and its
    課長 alerted when it passes unanswered; it ends when the reply is decided or the receipt is closed."""

    @workflow.init
    def __init__(self, request: ReplyDeadlineInput) -> None:
        self._sent: list[str] = []
        self._changes = 0
        self._settled = False

    @workflow.run
    async def run(self, request: ReplyDeadlineInput) -> ReplyDeadlineResult:
        while not self._settled:
            plan = await workflow.execute_activity_method(
                ReceiptActivities.plan_reply_deadline,
                request,
                start_to_close_timeout=NOTICE_TIMEOUT,
                retry_policy=RETRY,
            )
            due = next_notice(plan.notices, self._sent, workflow.now()) if plan.open else None
            if due is None or plan.reply_by is None:
                break
            try:
                await workflow.wait_condition(self._moved(self._changes), timeout=_until(due))
            except TimeoutError:
                still_owed = await workflow.execute_activity_method(
                    ReceiptActivities.notify_reply_deadline,
                    ReplyDeadlineNotice(receipt_id=request.receipt_id, notice=due, reply_by=plan.reply_by),
                    start_to_close_timeout=NOTICE_TIMEOUT,
                    retry_policy=RETRY,
                )
                self._sent.append(due.key)
                if not still_owed:
                    break
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ReplyDeadlineResult(receipt_id=request.receipt_id, notices_sent=len(self._sent))

    def _moved(self, seen: int) -> Callable[[], bool]:
        return lambda: self._settled or self._changes != seen

    @workflow.signal
    def replan(self) -> None:
        """The 回答期限 was corrected (or the receipt handed on): read it again."""
        self._changes += 1

    @workflow.signal
    def settle(self) -> None:
        """The receipt was closed or the reply decided: no more notices."""
        self._settled = True
