"""The disposal schedules (廃棄・移管の審査): the yearly review and the daily application of what has come due;
created idempotently by the worker at start-up and by ``ringi records schedule``."""

from __future__ import annotations

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.service import RPCError

from schemas.disposal import DisposalTrigger
from workflows.disposal import (
    APPLY_HOUR_UTC,
    APPLY_MINUTE,
    APPLY_SCHEDULE_ID,
    APPLY_WORKFLOW_ID,
    SCHEDULE_DAY,
    SCHEDULE_HOUR_UTC,
    SCHEDULE_ID,
    SCHEDULE_MONTH,
    DisposalApplyWorkflow,
    DisposalReviewTriggerWorkflow,
    trigger_workflow_id,
)

log = structlog.get_logger("ringi.schedule")


def disposal_schedule(task_queue: str) -> Schedule:
    """Every February 1 at 00:00 UTC (09:00 JST); a run still going when the next is due is not doubled."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DisposalReviewTriggerWorkflow.run,
            DisposalTrigger(),
            id=trigger_workflow_id(),
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    month=[ScheduleRange(SCHEDULE_MONTH)],
                    day_of_month=[ScheduleRange(SCHEDULE_DAY)],
                    hour=[ScheduleRange(SCHEDULE_HOUR_UTC)],
                    minute=[ScheduleRange(0)],
                    second=[ScheduleRange(0)],
                    comment="廃棄・移管の審査: 毎年2月1日 9:00 JST",
                )
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


def apply_schedule(task_queue: str) -> Schedule:
    """Every day at 15:05 UTC (00:05 JST): apply the decided 廃棄 / 移管 whose 満了日 has passed."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DisposalApplyWorkflow.run, None, id=APPLY_WORKFLOW_ID, task_queue=task_queue
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(APPLY_HOUR_UTC)],
                    minute=[ScheduleRange(APPLY_MINUTE)],
                    second=[ScheduleRange(0)],
                    comment="廃棄・移管の適用: 毎日0:05 JST（満了日の翌日から）",
                )
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_apply_schedule(client: Client, task_queue: str) -> bool:
    """The daily application schedule, like ``ensure_disposal_schedule`` (True when created now)."""
    try:
        await client.create_schedule(APPLY_SCHEDULE_ID, apply_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        wanted = apply_schedule(task_queue)
        await client.get_schedule_handle(APPLY_SCHEDULE_ID).update(lambda _: ScheduleUpdate(schedule=wanted))
        return False
    log.info("disposal.schedule_created", schedule_id=APPLY_SCHEDULE_ID, task_queue=task_queue)
    return True


async def ensure_disposal_schedule(client: Client, task_queue: str) -> bool:
    """Create the schedule unless it exists (True when created now); an existing one gets this release's spec and
    task queue, so a changed configuration takes effect without a second schedule."""
    try:
        await client.create_schedule(SCHEDULE_ID, disposal_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        wanted = disposal_schedule(task_queue)
        await client.get_schedule_handle(SCHEDULE_ID).update(lambda _: ScheduleUpdate(schedule=wanted))
        return False
    log.info("disposal.schedule_created", schedule_id=SCHEDULE_ID, task_queue=task_queue)
    return True


async def ensure_schedule_at_start(client: Client, task_queue: str) -> None:
    """At worker start-up: a failure to reach the schedule API is logged, never fatal (the worker still serves)."""
    try:
        await ensure_disposal_schedule(client, task_queue)
        await ensure_apply_schedule(client, task_queue)
    except RPCError as exc:
        log.warning("disposal.schedule_not_ensured", error=str(exc))
