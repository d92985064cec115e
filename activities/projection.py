"""Projection (activity): the chain's new state into the read model, its events into the audit chain.

Runs as a local activity inside each update so that when the API answers, the inbox already shows the change.
Idempotent: ``documents.projected_seq`` records how many chain events are already written.  Returns the
current stage's deadlines (business days, 開庁日) for the workflow's durable timers.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.records import complete_replied_receipt
from activities.transition_notices import write_transition_notices
from core.calendar import add_business_days
from db.models import DocumentRow
from db.repositories.audit import AuditEntry, AuditRepository
from db.repositories.documents import DocumentRepository, PostReviewRepository, RouteStepRepository
from db.session import begin_write
from domain.changes import APPROVALS
from domain.statuses import IN_ROUTING
from schemas.document import ChainEvent, ChainState, Deadlines, DocumentFinance, FinanceProjection, ProjectionInput

log = structlog.get_logger("ringi.projection")


def deadlines(state: ChainState) -> Deadlines:
    """Reminder and escalation times of the current stage, counted in business days from when it began."""
    if state.current is None or state.status not in IN_ROUTING:
        return Deadlines()
    stage = state.stages[state.current]
    if stage.became_current_at is None:
        return Deadlines()
    return Deadlines(
        remind_at=add_business_days(stage.became_current_at, stage.remind_after_days),
        escalate_at=add_business_days(stage.became_current_at, stage.escalate_after_days),
    )


def step_rows(state: ChainState, due: Deadlines) -> list[dict[str, Any]]:
    rows = []
    for view in state.step_views():
        current = view.stage_index == state.current
        rows.append(
            {
                "document_id": state.document_id,
                **view.model_dump(),
                "remind_at": due.remind_at if current else None,
                "escalate_at": due.escalate_at if current else None,
            }
        )
    return rows


def post_review_rows(state: ChainState) -> list[dict[str, Any]]:
    return [{"document_id": state.document_id, **p.model_dump()} for p in state.post_reviews]


def _set_finance(document: DocumentRow, finance: DocumentFinance) -> None:
    document.finance_state = finance.state
    document.reservation_id = finance.reservation_id
    document.reserved_yen = finance.reserved_yen
    document.budget_fiscal_year = finance.fiscal_year
    document.voucher_id = finance.voucher_id
    document.finance_error = finance.error


def audit_entry(event: ChainEvent) -> AuditEntry:
    return AuditEntry(
        action=event.action,
        actor_id=event.actor_id,
        at=event.at,
        version=event.version,
        content_hash=event.content_hash,
        detail=audit_detail(event),
    )


def audit_detail(event: ChainEvent) -> dict[str, object]:
    detail: dict[str, object] = {**event.detail, "comment": event.comment, "stage_index": event.stage_index}
    if event.input is not None:
        detail["input"] = event.input.model_dump(mode="json", exclude_defaults=True)
    if event.route is not None:
        detail["route"] = event.route.model_dump(mode="json")
    return detail


def _with_content(entry: AuditEntry, document: DocumentRow) -> AuditEntry:
    """An approval keeps the content it approved (件名, 本文, 金額), so that after a 差戻し and an edit the approver
    sees what changed since (domain/changes.py); attachments are replayed from the chain's own events."""
    if entry.action not in APPROVALS or entry.version != document.version:
        return entry
    content = {"title": document.title, "body": document.body, "amount_yen": document.amount_yen}
    return dataclasses.replace(entry, detail={**entry.detail, "content": content})


class ProjectionActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @activity.defn(name="project_document")
    async def project_document(self, projection: ProjectionInput) -> Deadlines:
        state = projection.state
        due = deadlines(state)
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            document = await DocumentRepository(session).get(state.document_id, for_update=True)
            if document is None:
                raise ApplicationError(f"document {state.document_id} is not in the database", non_retryable=True)
            if document.projected_seq >= state.seq:
                return due  # already projected (a retried activity) or a stale state
            fresh = [e for e in projection.events if e.seq > document.projected_seq]
            entries = [_with_content(audit_entry(e), document) for e in fresh]
            await AuditRepository(session).extend(state.document_id, entries)
            for event in fresh:
                if event.action == "submit":
                    document.submitted_at = event.at
                    if event.route is not None and event.route.rulebook_version:
                        document.rulebook_version = event.route.rulebook_version  # kept for later routes
            document.status = state.status
            document.projected_seq = state.seq
            if projection.finance is not None:
                _set_finance(document, projection.finance)
            document.updated_at = state.updated_at
            document.sent_back_to = state.sent_back_to if state.status == "sent_back" else None
            document.consult_failed = state.consult_failed
            if any(e.detail.get("decided") for e in projection.events):
                document.decided_at = state.updated_at
                await complete_replied_receipt(session, document, state.updated_at)  # 起案時採番: numbered already
            await RouteStepRepository(session).replace(state.document_id, step_rows(state, due))
            if state.post_reviews or any(e.action in ("recall", "send_back", "resubmit") for e in projection.events):
                await PostReviewRepository(session).replace(state.document_id, post_review_rows(state))
            await write_transition_notices(session, document, state, projection.events)  # 通知: same transaction
        log.info("document.projected", document_id=state.document_id, status=state.status, seq=state.seq)
        return due

    @activity.defn(name="project_finance")
    async def project_finance(self, projection: FinanceProjection) -> None:
        """The document's reservation / commitment as 財務会計 last answered (shown on the document)."""
        finance = projection.finance
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            document = await DocumentRepository(session).get(projection.document_id, for_update=True)
            if document is None:
                raise ApplicationError(f"document {projection.document_id} is not in the database", non_retryable=True)
            _set_finance(document, finance)
        log.info("document.finance_projected", document_id=projection.document_id, state=finance.state)
