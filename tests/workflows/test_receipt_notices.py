"""供覧 reminders and 回答期限 notices as durable timers, in business days, on the time-skipping server.

Activities are stand-ins registered under the real names; the plans are the real ones (``circulation_plan``,
``reply_notices``), so the calendar (weekends, Golden Week) is the real one.  The stand-ins play the database:
who has read, whether a reply is still owed, the 回答期限 it has now.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.receipts import ReceiptTimers, circulation_plan, reply_notices
from core.calendar import JST
from schemas.receipts import (
    CirculationInput,
    CirculationNotice,
    CirculationPlan,
    ReadingSignal,
    ReplyDeadlineInput,
    ReplyDeadlineNotice,
    ReplyPlan,
)
from worker.main import workflow_runner
from workflows.receipts import ReceiptCirculationWorkflow, ReplyDeadlineWorkflow

TIMERS = ReceiptTimers()  # 供覧: reminders 2, 4 and 6 business days after the start; 回答期限: 3 and 1 before


class Database:
    """What the stand-in activities read: the readers who have not read, the receipt's 回答期限 and branch."""

    def __init__(self, *, unread: set[str] | None = None, reply_by: date | None = None) -> None:
        self.unread = unread or set()
        self.reply_by = reply_by
        self.reply_owed = True
        self.sent: list[tuple[datetime, str, tuple[str, ...]]] = []

    @activity.defn(name="plan_circulation")
    async def plan_circulation(self, start: CirculationInput) -> CirculationPlan:
        return circulation_plan(start, TIMERS)

    @activity.defn(name="notify_circulation")
    async def notify_circulation(self, notice: CirculationNotice) -> list[str]:
        self.sent.append((_scheduled(), notice.notice.kind, tuple(sorted(self.unread))))
        return sorted(self.unread)

    @activity.defn(name="plan_reply_deadline")
    async def plan_reply_deadline(self, request: ReplyDeadlineInput) -> ReplyPlan:
        if self.reply_by is None or not self.reply_owed:
            return ReplyPlan(open=False)
        return ReplyPlan(open=True, reply_by=self.reply_by, notices=reply_notices(self.reply_by, TIMERS))

    @activity.defn(name="notify_reply_deadline")
    async def notify_reply_deadline(self, notice: ReplyDeadlineNotice) -> bool:
        if not self.reply_owed:
            return False
        self.sent.append((_scheduled(), notice.notice.kind, (notice.reply_by.isoformat(),)))
        return True

    @property
    def activities(self) -> list[Callable[..., Any]]:
        return [self.plan_circulation, self.notify_circulation, self.plan_reply_deadline, self.notify_reply_deadline]

    def days(self) -> list[tuple[str, str]]:
        """(JST date and time, kind) of each notice sent."""
        return [(at.astimezone(JST).strftime("%m-%d %H:%M"), kind) for at, kind, _ in self.sent]


def _scheduled() -> datetime:
    return activity.info().current_attempt_scheduled_time


@pytest_asyncio.fixture(loop_scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping server per test (half a second): after a workflow's result the server skips years ahead,
    and these tests need their own calendar dates (Golden Week)."""
    server = Path(sys.executable).parent / "temporal-test-server"
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server), data_converter=pydantic_data_converter
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


def worker(env: WorkflowEnvironment, db: Database) -> tuple[Worker, str]:
    task_queue = f"receipts-{uuid.uuid4().hex[:8]}"
    return (
        Worker(
            env.client,
            task_queue=task_queue,
            workflows=[ReceiptCirculationWorkflow, ReplyDeadlineWorkflow],
            activities=db.activities,
            workflow_runner=workflow_runner(),
        ),
        task_queue,
    )


async def circulate(env: WorkflowEnvironment, task_queue: str, readers: tuple[str, ...]) -> WorkflowHandle[Any, Any]:
    start = CirculationInput(receipt_id=str(uuid.uuid4()), reader_ids=readers, started_at=await env.get_current_time())
    return await env.client.start_workflow(
        ReceiptCirculationWorkflow.run, start, id=f"receipt-circulation:{start.receipt_id}", task_queue=task_queue
    )


async def test_circulation_reminds_the_unread_on_business_days_and_ends_when_all_have_read(
    env: WorkflowEnvironment,
) -> None:
    """Started Fri 2027-04-30 10:00 JST: Golden Week (5/1–5/5) is closed, so the first reminder (2 business days)
    comes Fri 5/7 10:00, to the one reader who has not read; the last confirmation ends the workflow."""
    await skip_to(env, datetime(2027, 4, 30, 10, 0, tzinfo=JST))
    db = Database(unread={"a", "b"})
    w, task_queue = worker(env, db)
    async with w:
        handle = await circulate(env, task_queue, ("a", "b"))
        await skip_to(env, datetime(2027, 5, 6, 12, 0, tzinfo=JST))
        assert db.days() == [("04-30 10:00", "circulate")]  # nothing during Golden Week
        db.unread.discard("a")
        await handle.signal(ReceiptCirculationWorkflow.read, ReadingSignal(reader_id="a"))
        await skip_to(env, datetime(2027, 5, 7, 10, 1, tzinfo=JST))
        assert db.days()[1:] == [("05-07 10:00", "circulation_remind")]
        assert db.sent[1][2] == ("b",)
        assert await handle.query(ReceiptCirculationWorkflow.unread) == ["b"]
        db.unread.discard("b")
        await handle.signal(ReceiptCirculationWorkflow.read, ReadingSignal(reader_id="b"))
        result = await handle.result()
        assert result.notices_sent == 2


async def test_a_lost_signal_is_made_good_by_the_database(env: WorkflowEnvironment) -> None:
    """The reader confirmed, but the API's signal never arrived: the reminder finds nobody unread and the workflow
    ends without reminding anyone."""
    await skip_to(env, datetime(2027, 6, 1, 10, 0, tzinfo=JST))  # Tuesday
    db = Database(unread={"a"})
    w, task_queue = worker(env, db)
    async with w:
        handle = await circulate(env, task_queue, ("a",))
        await skip_to(env, datetime(2027, 6, 1, 11, 0, tzinfo=JST))
        db.unread.clear()
        result = await handle.result()
        assert result.notices_sent == 2 and db.sent[1][2] == ()
        assert db.days() == [("06-01 10:00", "circulate"), ("06-03 10:00", "circulation_remind")]


async def test_circulation_reminders_are_spent_after_the_configured_count(env: WorkflowEnvironment) -> None:
    await skip_to(env, datetime(2027, 7, 5, 9, 0, tzinfo=JST))  # Monday
    db = Database(unread={"a"})
    w, task_queue = worker(env, db)
    async with w:
        handle = await circulate(env, task_queue, ("a",))
        result = await handle.result()
    assert result.notices_sent == 4
    # 2, 4 and 6 business days after Mon 7/5: Wed 7/7, Fri 7/9, Tue 7/13; then no more
    assert [d for d, _ in db.days()] == ["07-05 09:00", "07-07 09:00", "07-09 09:00", "07-13 09:00"]


async def reply_deadline(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Any, Any]:
    receipt_id = str(uuid.uuid4())
    return await env.client.start_workflow(
        ReplyDeadlineWorkflow.run,
        ReplyDeadlineInput(receipt_id=receipt_id),
        id=f"receipt-reply:{receipt_id}",
        task_queue=task_queue,
    )


async def test_reply_deadline_reminds_before_and_alerts_after(env: WorkflowEnvironment) -> None:
    """回答期限 Mon 2027-05-10: reminded 3 business days before (Fri 4/30, over Golden Week) and 1 before (Fri 5/7)
    at 08:30; the 課長 alerted at the opening of the next business day (Tue 5/11)."""
    await skip_to(env, datetime(2027, 4, 26, 14, 0, tzinfo=JST))
    db = Database(reply_by=date(2027, 5, 10))
    w, task_queue = worker(env, db)
    async with w:
        handle = await reply_deadline(env, task_queue)
        result = await handle.result()
    assert db.days() == [
        ("04-30 08:30", "reply_remind"),
        ("05-07 08:30", "reply_remind"),
        ("05-11 08:30", "reply_overdue"),
    ]
    assert result.notices_sent == 3


async def test_reply_reminders_stop_when_settled(env: WorkflowEnvironment) -> None:
    await skip_to(env, datetime(2027, 9, 1, 10, 0, tzinfo=JST))  # Wednesday
    db = Database(reply_by=date(2027, 9, 10))
    w, task_queue = worker(env, db)
    async with w:
        handle = await reply_deadline(env, task_queue)
        await skip_to(env, datetime(2027, 9, 7, 9, 0, tzinfo=JST))
        assert db.days() == [("09-07 08:30", "reply_remind")]
        db.reply_owed = False  # the reply was decided (or the receipt closed)
        await handle.signal(ReplyDeadlineWorkflow.settle)
        result = await handle.result()
    assert result.notices_sent == 1 and len(db.sent) == 1


async def test_reply_reminders_stop_when_the_reply_is_decided_without_a_signal(env: WorkflowEnvironment) -> None:
    await skip_to(env, datetime(2027, 10, 1, 10, 0, tzinfo=JST))  # Friday
    db = Database(reply_by=date(2027, 10, 15))
    w, task_queue = worker(env, db)
    async with w:
        handle = await reply_deadline(env, task_queue)
        await skip_to(env, datetime(2027, 10, 13, 9, 0, tzinfo=JST))
        db.reply_owed = False  # decided: the next notice finds nothing owed
        await handle.result()
    assert db.days() == [("10-12 08:30", "reply_remind")]


async def test_a_corrected_deadline_is_planned_afresh(env: WorkflowEnvironment) -> None:
    await skip_to(env, datetime(2027, 11, 1, 10, 0, tzinfo=JST))  # Monday
    db = Database(reply_by=date(2027, 11, 5))
    w, task_queue = worker(env, db)
    async with w:
        handle = await reply_deadline(env, task_queue)
        await skip_to(env, datetime(2027, 11, 2, 9, 0, tzinfo=JST))
        # 11/3 is 文化の日, so 3 business days before Fri 11/5 is Mon 11/1 08:30: already due at the start
        assert db.days() == [("11-01 10:00", "reply_remind")]
        db.reply_by = date(2027, 11, 19)
        await handle.signal(ReplyDeadlineWorkflow.replan)
        result = await handle.result()
    after = [(d, kind, by) for (d, kind), (_, _, by) in zip(db.days(), db.sent, strict=True) if by == ("2027-11-19",)]
    assert [(d, k) for d, k, _ in after] == [
        ("11-16 08:30", "reply_remind"),
        ("11-18 08:30", "reply_remind"),
        ("11-22 08:30", "reply_overdue"),
    ]
    assert result.notices_sent == len(db.sent)
