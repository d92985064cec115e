"""Projection (activity): the chain's new state into the read model, its events into the audit chain.

Runs as a local activity inside each update so that when the API answers, the inbox already shows the change.
Idempotent: ``documents.projected_seq`` records how many chain events are already written.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from db.models import RouteStepRow
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository, RouteStepRepository
from schemas.document import ChainState, ProjectionInput

log = structlog.get_logger("ringi.projection")


def step_rows(state: ChainState) -> list[RouteStepRow]:
    return [RouteStepRow(document_id=state.document_id, **view.model_dump()) for view in state.step_views()]


class ProjectionActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @activity.defn(name="project_document")
    async def project_document(self, projection: ProjectionInput) -> None:
        state = projection.state
        async with self._sessions() as session, session.begin():
            document = await DocumentRepository(session).get(state.document_id, for_update=True)
            if document is None:
                raise ApplicationError(f"document {state.document_id} is not in the database", non_retryable=True)
            if document.projected_seq >= state.seq:
                return  # already projected (a retried activity) or a stale state
            audit = AuditRepository(session)
            for event in projection.events:
                if event.seq <= document.projected_seq:
                    continue
                detail = {**event.detail, "comment": event.comment, "stage_index": event.stage_index}
                await audit.append(
                    document_id=state.document_id,
                    action=event.action,
                    actor_id=event.actor_id,
                    at=event.at,
                    version=event.version,
                    content_hash=event.content_hash,
                    detail=detail,
                )
                if event.action == "submit":
                    document.submitted_at = event.at
            document.status = state.status
            document.projected_seq = state.seq
            document.updated_at = state.updated_at
            if state.status == "approved":
                document.decided_at = state.updated_at
            await RouteStepRepository(session).replace(state.document_id, step_rows(state))
        log.info("document.projected", document_id=state.document_id, status=state.status, seq=state.seq)
