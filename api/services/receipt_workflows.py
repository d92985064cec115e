"""Telling the receipt workflows (workflows/receipts.py) what the API recorded: a 供覧 started, a reader confirmed,
a 回答期限 set, corrected or no longer owed.

A start is part of the request (bounded: 503 when Temporal does not answer, and the request's writes roll back);
the signals after a committed change are best effort, since each notice asks the database again before it goes.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import structlog
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from api.deps import AppState
from api.services.temporal_calls import WorkflowGone, bounded
from core.errors import Unavailable
from schemas.receipts import CirculationInput, ReadingSignal, ReplyDeadlineInput
from workflows.receipts import (
    ReceiptCirculationWorkflow,
    ReplyDeadlineWorkflow,
    circulation_workflow_id,
    reply_deadline_workflow_id,
)

log = structlog.get_logger("ringi.receipts")


async def start_circulation(app: AppState, receipt_id: str, readers: list[str], started_at: datetime) -> None:
    call = app.temporal.start_workflow(
        ReceiptCirculationWorkflow.run,
        CirculationInput(receipt_id=receipt_id, reader_ids=tuple(readers), started_at=started_at),
        id=circulation_workflow_id(receipt_id),
        task_queue=app.settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    await bounded(call, within_seconds=app.settings.action_timeout_seconds)


async def reading_confirmed(app: AppState, receipt_id: str, reader_id: str) -> None:
    handle = app.temporal.get_workflow_handle_for(ReceiptCirculationWorkflow.run, circulation_workflow_id(receipt_id))
    await _best_effort(handle.signal(ReceiptCirculationWorkflow.read, ReadingSignal(reader_id=reader_id)), receipt_id)


async def watch_reply_deadline(app: AppState, receipt_id: str) -> None:
    """Start the 回答期限 timers, or have the running ones read the (corrected) deadline again."""
    call = app.temporal.start_workflow(
        ReplyDeadlineWorkflow.run,
        ReplyDeadlineInput(receipt_id=receipt_id),
        id=reply_deadline_workflow_id(receipt_id),
        task_queue=app.settings.temporal_task_queue,
        start_signal="replan",
    )
    await bounded(call, within_seconds=app.settings.action_timeout_seconds)


async def settle_reply_deadline(app: AppState, receipt_id: str) -> None:
    handle = app.temporal.get_workflow_handle_for(ReplyDeadlineWorkflow.run, reply_deadline_workflow_id(receipt_id))
    await _best_effort(handle.signal(ReplyDeadlineWorkflow.settle), receipt_id)


async def _best_effort(signal: Awaitable[None], receipt_id: str) -> None:
    try:
        await bounded(signal, within_seconds=2.0)
    except WorkflowGone:
        pass  # finished already (or never started: no 回答期限)
    except (Unavailable, RPCError) as exc:
        log.warning("receipt.signal_not_delivered", receipt_id=receipt_id, error=str(exc))
