"""Composition root of the worker: clients -> activities -> Temporal worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.disposal import DisposalActivities
from activities.finance import FinanceActivities
from activities.hr_postings import HrPostingActivities
from activities.notifications import NotificationActivities
from activities.projection import ProjectionActivities
from activities.receipts import ReceiptActivities, ReceiptTimers
from activities.records import RecordsActivities
from activities.routing import RouteActivities
from activities.transfers import TransferActivities
from core.settings import Settings
from core.telemetry import temporal_interceptors, temporal_runtime, tracer_provider
from core.temporal import connect_client
from db.rulebooks import DbRulebooks
from db.session import create_engine, create_sessionmaker
from integrations.attachment_store import AttachmentStore, attachment_store
from integrations.finance import FinanceClient, HttpFinanceClient
from integrations.hr import HrClient, HttpHrClient
from worker.delivery import running_dispatcher
from worker.health import heartbeat
from worker.schedule import ensure_schedule_at_start
from worker.search_attributes import ensure_search_attributes
from workflows.disposal import DisposalApplyWorkflow, DisposalReviewTriggerWorkflow
from workflows.document import DocumentWorkflow
from workflows.receipts import ReceiptCirculationWorkflow, ReplyDeadlineWorkflow
from workflows.transfer import TransferWorkflow

log = structlog.get_logger("ringi.worker")

WORKFLOWS: Sequence[type] = (
    DocumentWorkflow,
    TransferWorkflow,
    DisposalReviewTriggerWorkflow,
    DisposalApplyWorkflow,
    ReceiptCirculationWorkflow,
    ReplyDeadlineWorkflow,
)
#: Where transferred (移管) documents are exported when no archive directory is given: <data dir>/archives.
DEFAULT_ARCHIVE_DIR = Path(".ringi") / "archives"
#: On SIGTERM the worker stops polling and gives running activities this long to finish before cancelling them
#: (docker-compose's stop_grace_period for the worker is longer, so they are not killed mid-way).
GRACEFUL_SHUTDOWN_TIMEOUT = timedelta(seconds=20)


def build_activities(
    *,
    hr: HrClient,
    finance: FinanceClient,
    sessions: async_sessionmaker[AsyncSession],
    archive_dir: Path = DEFAULT_ARCHIVE_DIR,
    attachments: AttachmentStore | None = None,
    reply_takes_receipt_number: bool = False,
    receipt_timers: ReceiptTimers | None = None,
) -> list[Callable[..., Any]]:
    """Every activity the worker runs, bound to its clients (used by the worker and by the tests)."""
    routing = RouteActivities(hr, DbRulebooks(sessions))
    projection = ProjectionActivities(sessions)
    notifications = NotificationActivities(sessions, hr)
    money = FinanceActivities(finance)
    hr_postings = HrPostingActivities(hr, sessions)
    records = RecordsActivities(sessions, reply_takes_receipt_number=reply_takes_receipt_number)
    disposal = DisposalActivities(sessions, archive_dir, attachments)
    receipts = ReceiptActivities(sessions, hr, receipt_timers or ReceiptTimers())
    return [
        routing.resolve_route,
        projection.project_document,
        projection.project_finance,
        notifications.notify_deadline,
        notifications.notify_records_office,
        money.reserve_budget,
        money.adjust_budget,
        money.release_budget,
        money.commit_budget,
        hr_postings.post_to_hr,
        hr_postings.project_hr_posting,
        TransferActivities(sessions, hr).apply_transfer,
        records.assign_number,
        records.record_issuance,
        records.complete_document,
        disposal.open_disposal_review,
        disposal.settle_disposal_review,
        disposal.apply_due_disposals,
        receipts.plan_circulation,
        receipts.notify_circulation,
        receipts.plan_reply_deadline,
        receipts.notify_reply_deadline,
    ]


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox, with our pydantic payloads passed through (one class per model inside and outside) and the
    pure rules (domain/) too: they hold no state, and re-importing them for every workflow instance costs CPU."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            "schemas", "pydantic", "pydantic_core", "domain"
        )
    )


def build_worker(
    client: Client,
    *,
    task_queue: str,
    hr: HrClient,
    finance: FinanceClient,
    sessions: async_sessionmaker[AsyncSession],
    archive_dir: Path = DEFAULT_ARCHIVE_DIR,
    attachments: AttachmentStore | None = None,
    graceful_shutdown_timeout: timedelta = timedelta(0),
    max_cached_workflows: int = 1000,
    reply_takes_receipt_number: bool = False,
    receipt_timers: ReceiptTimers | None = None,
) -> Worker:
    """The Temporal worker; ``run_worker`` passes the cache size from the settings (the tests keep temporalio's
    default of 1000)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        workflow_runner=workflow_runner(),
        activities=build_activities(
            hr=hr,
            finance=finance,
            sessions=sessions,
            archive_dir=archive_dir,
            attachments=attachments,
            reply_takes_receipt_number=reply_takes_receipt_number,
            receipt_timers=receipt_timers,
        ),
        graceful_shutdown_timeout=graceful_shutdown_timeout,
        max_cached_workflows=max_cached_workflows,
    )


#: The waits between attempts to reach Temporal at start: doubling from the first, at most the last.
CONNECT_RETRY_FIRST_SECONDS = 0.5
CONNECT_RETRY_MAX_SECONDS = 10.0


async def connect_when_up(
    connect: Callable[[], Awaitable[Client]],
    *,
    first: float = CONNECT_RETRY_FIRST_SECONDS,
    most: float = CONNECT_RETRY_MAX_SECONDS,
) -> Client:
    """``connect()`` until Temporal answers: a worker started while its server is down (restarting, or started
    after it by compose or ``ringi dev``) waits for it instead of dying.  Found by bench/chaos.py: a worker
    restarted while the dev server was down failed with "Failed client connect" and then hung on its way out."""
    wait = first
    while True:
        try:
            return await connect()
        except RuntimeError as exc:  # the SDK's "Failed client connect: …"
            log.warning("worker.temporal_unreachable", error=str(exc).splitlines()[0], retry_in_seconds=wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, most)


async def run_worker(settings: Settings) -> None:
    """Run until cancelled (Ctrl-C / SIGTERM)."""
    engine = create_engine(settings.database_url)
    traces = tracer_provider(settings, "worker")
    runtime = temporal_runtime(settings)  # the SDK's Prometheus metrics, when an address is set
    client = await connect_when_up(
        lambda: connect_client(
            settings.temporal_address,
            settings.temporal_namespace,
            interceptors=temporal_interceptors(traces),  # the worker takes them from its client
            runtime=runtime,
            payload_keys=settings.temporal_payload_keys(),
        )
    )
    sessions = create_sessionmaker(engine)
    async with HttpHrClient(settings.hr_url) as hr, HttpFinanceClient(settings.finance_url) as finance:
        worker = build_worker(
            client,
            task_queue=settings.temporal_task_queue,
            hr=hr,
            finance=finance,
            sessions=sessions,
            archive_dir=settings.data_dir / "archives",
            attachments=attachment_store(settings.attachment_root()),
            graceful_shutdown_timeout=GRACEFUL_SHUTDOWN_TIMEOUT,
            max_cached_workflows=settings.worker_max_cached_workflows,
            reply_takes_receipt_number=settings.reply_takes_receipt_number,
            receipt_timers=ReceiptTimers.from_settings(settings),
        )
        await ensure_search_attributes(client)  # 検索属性: an unregistered key would stall every document
        await ensure_schedule_at_start(client, settings.temporal_task_queue)
        log.info("worker.started", task_queue=settings.temporal_task_queue, address=settings.temporal_address)
        try:
            async with (
                running_dispatcher(settings, sessions, hr),  # 通知: delivers the outbox
                heartbeat(client, settings.temporal_task_queue),  # `python -m worker.health` (container healthcheck)
            ):
                await worker.run()
        finally:
            await engine.dispose()
            if traces is not None:
                traces.shutdown()
            log.info("worker.stopped")
