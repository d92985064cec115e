"""The current stage's deadlines as durable timers: wait for the stage to move, or fire its next deadline (a
reminder (督促) to the assignees, then an escalation to their superiors).  Which deadline is next is
``domain/deadlines.py``'s rule."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow

from domain import chain
from domain.deadlines import DeadlineKind, next_due, stage_key
from schemas.document import ChainEvent, ChainState, DeadlineNotice, Deadlines

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities


async def watch(
    current: Callable[[], ChainState],
    deadlines: Callable[[], Deadlines],
    fire: Callable[[DeadlineKind], Awaitable[None]],
) -> None:
    """Wait for the stage to change or, if it does not in time, ``fire`` its next deadline."""
    key = stage_key(current())

    def moved() -> bool:
        return stage_key(current()) != key or chain.is_finished(current())

    due = next_due(current(), deadlines())
    if due is None:
        await workflow.wait_condition(moved)
        return
    kind, at = due
    try:
        await workflow.wait_condition(moved, timeout=max(at - workflow.now(), timedelta(0)))
    except TimeoutError:
        await fire(kind)


async def notify(state: ChainState, kind: DeadlineKind) -> tuple[ChainState, list[ChainEvent]] | None:
    """Tell the current stage's assignees (or their superiors), then note it on the stage; None if nobody waits."""
    if state.current is None or not state.pending_ids:
        return None
    stage = state.stages[state.current]
    assert stage.became_current_at is not None
    await workflow.execute_activity_method(
        NotificationActivities.notify_deadline,
        DeadlineNotice(
            document_id=state.document_id,
            kind=kind,
            stage_index=state.current,
            stage_since=stage.became_current_at,
            assignee_ids=state.pending_ids,
        ),
        start_to_close_timeout=timedelta(seconds=30),
    )
    return chain.note_deadline(state, kind, state.current, workflow.now())
