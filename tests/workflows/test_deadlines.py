"""Reminders (督促) and escalation as durable timers, counted in business days, on the time-skipping server.

Activities are stand-ins registered under the real names; the projection stand-in returns the real deadline
computation (``activities.projection.deadlines``), so the calendar (weekends, Golden Week) is the real one.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.projection import deadlines
from core.calendar import JST
from schemas.document import (
    ActionInput,
    ChainState,
    DeadlineNotice,
    Deadlines,
    DocumentFacts,
    DocumentInput,
    DocumentResult,
    ProjectionInput,
    Route,
    RouteRequest,
    Stage,
    SubmitInput,
)
from schemas.finance import Reservation, ReserveRequest
from schemas.org import OrgUnitRef, PostRef, StaffRef
from schemas.records import CompletionRequest, DocumentNumber, NumberRequest
from worker.main import workflow_runner
from worker.search_attributes import ensure_search_attributes
from workflows.document import DocumentWorkflow, workflow_id

UNIT = OrgUnitRef(code="somu.somu", name="総務課")
MANAGER = StaffRef(id="s0022", name="課長", org_unit=UNIT, post=PostRef(code="manager", name="課長"))
DIRECTOR = StaffRef(id="s0021", name="部長", org_unit=UNIT, post=PostRef(code="director", name="部長"))
FACTS = DocumentFacts(matter="spending", amount_yen=1_500_000, org_unit_code="somu.somu", version=1, content_hash="h")


class StandIns:
    def __init__(self) -> None:
        self.notices: list[tuple[datetime, DeadlineNotice]] = []

    @activity.defn(name="resolve_route")
    async def resolve_route(self, request: RouteRequest) -> Route:
        return Route(stages=(Stage(kind="review", assignees=(MANAGER,)), Stage(kind="decide", assignees=(DIRECTOR,))))

    @activity.defn(name="project_document")
    async def project_document(self, projection: ProjectionInput) -> Deadlines:
        return deadlines(projection.state)

    @activity.defn(name="assign_number")
    async def assign_number(self, request: NumberRequest) -> DocumentNumber:
        return DocumentNumber(symbol="萩総", fiscal_year=2026, serial=1, display="萩総第1号")

    @activity.defn(name="complete_document")
    async def complete_document(self, request: CompletionRequest) -> None:
        return None

    @property
    def records(self) -> list[Callable[..., Any]]:
        return [self.assign_number, self.complete_document]

    @activity.defn(name="notify_deadline")
    async def notify_deadline(self, notice: DeadlineNotice) -> list[str]:
        self.notices.append((activity.info().current_attempt_scheduled_time, notice))
        return list(notice.assignee_ids)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    server = Path(sys.executable).parent / "temporal-test-server"
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server), data_converter=pydantic_data_converter
    )
    await ensure_search_attributes(environment.client)  # the document workflows upsert them
    try:
        yield environment
    finally:
        await environment.shutdown()


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


async def submit(client: Client, task_queue: str) -> str:
    document_id = str(uuid.uuid4())
    start = WithStartWorkflowOperation(
        DocumentWorkflow.run,
        DocumentInput(document_id=document_id, drafter_id="s0026"),
        id=workflow_id(document_id),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=task_queue,
    )
    await client.execute_update_with_start_workflow(
        DocumentWorkflow.submit, SubmitInput(actor_id="s0026", facts=FACTS), start_workflow_operation=start
    )
    return document_id


async def state_of(client: Client, document_id: str) -> ChainState:
    state = await client.get_workflow_handle(workflow_id(document_id)).query(DocumentWorkflow.state)
    assert state is not None
    return state


async def test_reminder_and_escalation_skip_golden_week(env: WorkflowEnvironment) -> None:
    """Submitted Fri 2027-04-30 10:00 JST: 5/1–5/5 are weekend and holidays, so the reminder (1 business day)
    comes Thu 5/6 10:00 and the escalation (3 business days) Mon 5/10 10:00."""
    stand_ins = StandIns()
    task_queue = f"deadlines-{uuid.uuid4().hex[:8]}"
    await skip_to(env, datetime(2027, 4, 30, 10, 0, tzinfo=JST))
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[DocumentWorkflow],
        activities=[stand_ins.resolve_route, stand_ins.project_document, stand_ins.notify_deadline, *stand_ins.records],
        workflow_runner=workflow_runner(),
    ):
        document_id = await submit(env.client, task_queue)

        await skip_to(env, datetime(2027, 5, 6, 9, 59, tzinfo=JST))
        assert stand_ins.notices == []  # nothing during Golden Week
        await skip_to(env, datetime(2027, 5, 6, 10, 1, tzinfo=JST))
        assert [(n.kind, n.assignee_ids) for _, n in stand_ins.notices] == [("remind", (MANAGER.id,))]
        assert stand_ins.notices[0][0].astimezone(JST).date().isoformat() == "2027-05-06"

        await skip_to(env, datetime(2027, 5, 10, 10, 1, tzinfo=JST))
        assert [n.kind for _, n in stand_ins.notices] == ["remind", "escalate"]
        assert stand_ins.notices[1][0].astimezone(JST).date().isoformat() == "2027-05-10"
        stage = (await state_of(env.client, document_id)).stages[0]
        assert stage.reminded_at is not None and stage.escalated_at is not None

        await skip_to(env, datetime(2027, 5, 20, 10, 0, tzinfo=JST))
        assert len(stand_ins.notices) == 2  # each only once per stage


async def test_acting_in_time_cancels_the_reminder(env: WorkflowEnvironment) -> None:
    stand_ins = StandIns()
    task_queue = f"deadlines-{uuid.uuid4().hex[:8]}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[DocumentWorkflow],
        activities=[stand_ins.resolve_route, stand_ins.project_document, stand_ins.notify_deadline, *stand_ins.records],
        workflow_runner=workflow_runner(),
    ):
        document_id = await submit(env.client, task_queue)
        handle = env.client.get_workflow_handle_for(DocumentWorkflow.run, workflow_id(document_id))
        await handle.execute_update(DocumentWorkflow.act, ActionInput(action="approve", actor_id=MANAGER.id))
        await env.sleep(timedelta(days=2))  # the director's stage has its own clock, from now
        state = await state_of(env.client, document_id)
        assert all(n.assignee_ids == (DIRECTOR.id,) for _, n in stand_ins.notices)
        assert state.stages[0].reminded_at is None
        await handle.execute_update(DocumentWorkflow.act, ActionInput(action="approve", actor_id=DIRECTOR.id))
        result = await handle.result()
        assert result.status == "approved"


class RefusingFinance:
    """財務会計 that refuses the first reservation (予算不足) and accepts later ones."""

    def __init__(self) -> None:
        self.calls = 0

    @activity.defn(name="reserve_budget")
    async def reserve_budget(self, request: ReserveRequest) -> Reservation:
        self.calls += 1
        if self.calls == 1:
            raise ApplicationError("insufficient budget", 100_000, type="BudgetExceeded", non_retryable=True)
        return Reservation(
            reservation_id="R1",
            document_id=request.document_id,
            fiscal_year=request.fiscal_year,
            budget_code=request.budget_code,
            amount_yen=request.amount_yen,
            state="reserved",
        )


async def test_a_refused_submit_gives_up_after_30_days_then_may_start_again(env: WorkflowEnvironment) -> None:
    stand_ins, finance = StandIns(), RefusingFinance()
    task_queue = f"deadlines-{uuid.uuid4().hex[:8]}"
    facts = FACTS.model_copy(update={"budget_code": "0201-01-10-001", "fiscal_year": 2027})
    document_id = str(uuid.uuid4())

    def start() -> WithStartWorkflowOperation[DocumentWorkflow, DocumentResult]:
        return WithStartWorkflowOperation(
            DocumentWorkflow.run,
            DocumentInput(document_id=document_id, drafter_id="s0026"),
            id=workflow_id(document_id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            task_queue=task_queue,
        )

    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[DocumentWorkflow],
        activities=[stand_ins.resolve_route, stand_ins.project_document, finance.reserve_budget, *stand_ins.records],
        workflow_runner=workflow_runner(),
    ):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await env.client.execute_update_with_start_workflow(
                DocumentWorkflow.submit, SubmitInput(actor_id="s0026", facts=facts), start_workflow_operation=start()
            )
        assert "100,000" in str(refused.value.cause)
        first = env.client.get_workflow_handle(workflow_id(document_id))
        await env.sleep(timedelta(days=31))
        assert (await first.describe()).status == WorkflowExecutionStatus.FAILED

        state = await env.client.execute_update_with_start_workflow(
            DocumentWorkflow.submit, SubmitInput(actor_id="s0026", facts=facts), start_workflow_operation=start()
        )
        assert state.status == "in_review" and finance.calls == 2
