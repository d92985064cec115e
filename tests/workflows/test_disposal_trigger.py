"""The yearly disposal review on the time-skipping server.

The test server has no Schedules, so the schedule's spec and its creation are proven on the dev server
(tests/records/test_disposal_schedule.py); here the scheduled workflow body runs at the moment the schedule fires
(February 1, 09:00 JST) with the real activity against a real database, and the review's own DocumentWorkflow
applies a decided review exactly once (and a rejected one never).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.disposal import DisposalActivities
from activities.projection import deadlines
from core.calendar import JST
from db.models import DocumentRow
from db.session import create_engine, create_sessionmaker
from schemas.disposal import DisposalApplied, DisposalSettlement, DisposalTrigger, ReviewOpened
from schemas.document import (
    ActionInput,
    Deadlines,
    DocumentFacts,
    DocumentInput,
    ProjectionInput,
    Route,
    RouteRequest,
    Stage,
    SubmitInput,
)
from schemas.org import OrgUnitRef, PostRef, StaffRef
from schemas.records import CompletionRequest, DocumentNumber, NumberRequest
from tests.support.documents import document_row
from worker.main import workflow_runner
from worker.search_attributes import ensure_search_attributes
from workflows.disposal import SCHEDULE_DAY, SCHEDULE_HOUR_UTC, SCHEDULE_MONTH, DisposalReviewTriggerWorkflow
from workflows.document import DocumentWorkflow, workflow_id

UNIT = OrgUnitRef(code="somu.somu", name="総務課")
MANAGER = StaffRef(id="s0022", name="課長", org_unit=UNIT, post=PostRef(code="manager", name="課長"))
CLERK = "s0026"


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


def expiring_document(expires_on: date) -> DocumentRow:
    now = datetime.now(UTC)
    return document_row(
        title="消耗品購入",
        body="本文",
        amount_yen=1000,
        status="approved",
        content_hash="h",
        completed_at=now,
        retention_expires_on=expires_on,
        number_display=f"萩総第{uuid.uuid4().int % 10_000}号",
    )


async def fire_once(env: WorkflowEnvironment, task_queue: str) -> ReviewOpened:
    """One run of the scheduled workflow, at the server's current time.  Automatic skipping is off while it runs:
    with no timer pending, the test server would otherwise jump years ahead while the activity talks to the
    database."""
    with env.auto_time_skipping_disabled():
        return await env.client.execute_workflow(
            DisposalReviewTriggerWorkflow.run, DisposalTrigger(), id=f"t-{uuid.uuid4()}", task_queue=task_queue
        )


async def test_the_scheduled_body_opens_the_fiscal_years_review_once(
    env: WorkflowEnvironment, seeded_database_url: str, tmp_path: Path
) -> None:
    # The next moment the schedule fires: February 1, 00:00 UTC = 09:00 JST, in fiscal year ``year - 1``.
    now = await env.get_current_time()
    fire = datetime(now.year, SCHEDULE_MONTH, SCHEDULE_DAY, SCHEDULE_HOUR_UTC, tzinfo=UTC)
    if fire <= now:  # the module's server clock only moves forward
        fire = fire.replace(year=now.year + 1)
    assert fire.astimezone(JST).hour == 9
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    expiring, later = expiring_document(date(fire.year, 3, 31)), expiring_document(date(fire.year + 1, 3, 31))
    async with sessions() as session, session.begin():
        session.add_all([expiring, later])
    task_queue = f"disposal-{uuid.uuid4().hex[:8]}"
    activities = DisposalActivities(sessions, tmp_path / "archives")
    try:
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[DisposalReviewTriggerWorkflow],
            activities=[activities.open_disposal_review],
            workflow_runner=workflow_runner(),
        ):
            await skip_to(env, fire)
            first = await fire_once(env, task_queue)
            assert (first.fiscal_year, first.created, first.item_count) == (fire.year - 1, True, 1)
            # A second fire in the same fiscal year (a manual run, a retried schedule) opens nothing new.
            second = await fire_once(env, task_queue)
            assert (second.fiscal_year, second.review_id, second.created) == (fire.year - 1, first.review_id, False)
            # A year later the next fire opens the next fiscal year's review, listing the next expiries.
            await skip_to(env, fire.replace(year=fire.year + 1))
            next_year = await fire_once(env, task_queue)
            assert (next_year.fiscal_year, next_year.created, next_year.item_count) == (fire.year, True, 1)
    finally:
        await engine.dispose()


class StandIns:
    """The review's DocumentWorkflow with stand-in activities; records what the lifecycle asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.settlements: list[DisposalSettlement] = []

    @activity.defn(name="resolve_route")
    async def resolve_route(self, request: RouteRequest) -> Route:
        return Route(stages=(Stage(kind="decide", assignees=(MANAGER,)),))

    @activity.defn(name="project_document")
    async def project_document(self, projection: ProjectionInput) -> Deadlines:
        return deadlines(projection.state)

    @activity.defn(name="assign_number")
    async def assign_number(self, request: NumberRequest) -> DocumentNumber:
        self.calls.append("number")
        return DocumentNumber(symbol="萩総", fiscal_year=2026, serial=1, display="萩総第1号")

    @activity.defn(name="complete_document")
    async def complete_document(self, request: CompletionRequest) -> None:
        self.calls.append("complete")

    @activity.defn(name="settle_disposal_review")
    async def settle_disposal_review(self, settlement: DisposalSettlement) -> DisposalApplied:
        self.calls.append("settle")
        self.settlements.append(settlement)
        return DisposalApplied(review_id="r", status="applied", applied=1)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.resolve_route,
            self.project_document,
            self.assign_number,
            self.complete_document,
            self.settle_disposal_review,
        ]


async def decide(client: Client, task_queue: str, matter: str, action: str) -> str:
    document_id = str(uuid.uuid4())
    facts = DocumentFacts(matter=matter, amount_yen=0, org_unit_code="somu.somu", version=1, content_hash="h")
    start = WithStartWorkflowOperation(
        DocumentWorkflow.run,
        DocumentInput(document_id=document_id, drafter_id=CLERK),
        id=workflow_id(document_id),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=task_queue,
    )
    await client.execute_update_with_start_workflow(
        DocumentWorkflow.submit, SubmitInput(actor_id=CLERK, facts=facts), start_workflow_operation=start
    )
    handle = client.get_workflow_handle_for(DocumentWorkflow.run, workflow_id(document_id))
    await handle.execute_update(DocumentWorkflow.act, ActionInput(action=action, actor_id=MANAGER.id, comment="理由"))
    await handle.result()
    return document_id


async def test_a_decided_review_is_applied_once_a_rejected_one_never(env: WorkflowEnvironment) -> None:
    task_queue = f"disposal-{uuid.uuid4().hex[:8]}"
    for matter, action, expected in [
        ("disposal_review", "approve", ["approved"]),
        ("disposal_review", "reject", ["rejected"]),
        ("spending", "approve", []),
    ]:
        stand_ins = StandIns()
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[DocumentWorkflow],
            activities=stand_ins.all(),
            workflow_runner=workflow_runner(),
        ):
            document_id = await decide(env.client, task_queue, matter, action)
        assert [s.status for s in stand_ins.settlements] == expected, (matter, action)
        assert all(s.document_id == document_id for s in stand_ins.settlements)
        if expected:  # applied before the review's own 完結, which ends the workflow
            assert stand_ins.calls.index("settle") < stand_ins.calls.index("complete")
