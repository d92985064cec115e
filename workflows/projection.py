"""The projection of a document into the read model and audit chain: short local activities awaited by the
workflow before it adopts a new state."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from schemas.document import ChainEvent, ChainState, Deadlines, DocumentFinance, FinanceProjection, ProjectionInput

with workflow.unsafe.imports_passed_through():
    from activities.projection import ProjectionActivities

PROJECTION_TIMEOUT = timedelta(seconds=10)
PROJECTION_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5))


async def project(state: ChainState, events: list[ChainEvent], finance: DocumentFinance) -> Deadlines:
    """Write the state and its events; answers the current stage's deadlines."""
    return await workflow.execute_local_activity_method(
        ProjectionActivities.project_document,
        ProjectionInput(state=state, events=tuple(events), finance=finance),
        start_to_close_timeout=PROJECTION_TIMEOUT,
        retry_policy=PROJECTION_RETRY,
    )


async def project_finance(document_id: str, finance: DocumentFinance) -> None:
    await workflow.execute_local_activity_method(
        ProjectionActivities.project_finance,
        FinanceProjection(document_id=document_id, finance=finance),
        start_to_close_timeout=PROJECTION_TIMEOUT,
    )
