"""Document use cases behind the routes: create, read, preview, submit, act.  Transport-free."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import structlog
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.routing import RouteResolver, RouteUnresolvable
from api.deps import AppState
from api.services.temporal_calls import WorkflowGone, bounded, not_found
from core.audit import content_hash
from core.errors import Conflict, Forbidden, Invalid
from db.models import DocumentRow, StaffRow
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository, RouteStepRepository
from db.repositories.org import OrgRepository
from schemas.api.models import DocumentCreate, DocumentRead, RoutePreview, StageRead, StepRead
from schemas.document import (
    ActionInput,
    ActionName,
    ChainState,
    DocumentFacts,
    DocumentInput,
    RouteRequest,
    StepView,
    SubmitInput,
)
from workflows.document import DocumentWorkflow, workflow_id

log = structlog.get_logger("ringi.documents")


def facts_of(row: DocumentRow) -> DocumentFacts:
    return DocumentFacts(
        matter="spending",
        amount_yen=row.amount_yen,
        org_unit_code=row.org_unit_code,
        version=row.version,
        content_hash=row.content_hash,
    )


def document_read(row: DocumentRow, steps: list[StepView], *, state: ChainState | None = None) -> DocumentRead:
    """The document as the API shows it; ``state`` (a workflow answer) overrides the read model's status."""
    return DocumentRead(
        id=row.id,
        title=row.title,
        body=row.body,
        matter="spending",
        amount_yen=row.amount_yen,
        confidentiality=row.confidentiality,
        retention_years=row.retention_years,
        drafter_id=row.drafter_id,
        org_unit=row.org_unit_code,
        status=state.status if state else row.status,
        version=state.facts.version if state else row.version,
        content_hash=state.facts.content_hash if state else row.content_hash,
        pending=[s.assignee_id for s in steps if s.state == "pending"],
        steps=[StepRead(**s.model_dump()) for s in steps],
        created_at=row.created_at,
        updated_at=state.updated_at if state else row.updated_at,
        submitted_at=row.submitted_at,
        decided_at=(state.updated_at if state.status == "approved" else None) if state else row.decided_at,
    )


class DocumentService:
    def __init__(self, app: AppState) -> None:
        self._app = app

    async def create(self, staff: StaffRow, draft: DocumentCreate, *, today: date) -> DocumentRead:
        async with self._app.sessions() as session, session.begin():
            me = await OrgRepository(session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you cannot draft a document")
            now = datetime.now(UTC)
            row = DocumentRow(
                id=str(uuid.uuid4()),
                **draft.model_dump(),
                drafter_id=staff.id,
                org_unit_code=me.org_unit.code,
                status="draft",
                version=1,
                content_hash=content_hash(
                    title=draft.title, body=draft.body, amount_yen=draft.amount_yen, matter=draft.matter
                ),
                projected_seq=0,
                created_at=now,
                updated_at=now,
            )
            DocumentRepository(session).add(row)
            await session.flush()
            await AuditRepository(session).append(
                document_id=row.id,
                action="create",
                actor_id=staff.id,
                at=now,
                version=row.version,
                content_hash=row.content_hash,
                detail={"title": row.title, "amount_yen": row.amount_yen},
            )
        log.info("document.created", document_id=row.id, drafter_id=staff.id, amount_yen=row.amount_yen)
        return document_read(row, [])

    async def visible(self, staff: StaffRow, document_id: str) -> tuple[DocumentRow, list[StepView]]:
        """The document and its steps, if ``staff`` may see it: drafter, anyone on its route, or admin."""
        async with self._app.sessions() as session:
            row = await DocumentRepository(session).get(document_id)
            if row is None:
                raise not_found(document_id)
            steps = [
                StepView.model_validate(s, from_attributes=True)
                for s in await RouteStepRepository(session).for_document(document_id)
            ]
        if not (staff.is_admin or staff.id == row.drafter_id or any(s.assignee_id == staff.id for s in steps)):
            raise Forbidden("you are neither the drafter nor on this document's route")
        return row, steps

    async def preview(self, staff: StaffRow, document_id: str) -> RoutePreview:
        row, _ = await self.visible(staff, document_id)
        request = RouteRequest(document_id=row.id, drafter_id=row.drafter_id, facts=facts_of(row))
        try:
            route = await RouteResolver(self._app.hr).resolve(request)
        except RouteUnresolvable as exc:
            raise Conflict(f"no route can be resolved for this document: {exc}") from exc
        return RoutePreview(
            stages=[StageRead(kind=s.kind, assignees=list(s.assignees), reason=s.reason) for s in route.stages]
        )

    async def submit(self, staff: StaffRow, document_id: str, *, key: str) -> DocumentRead:
        row, _ = await self.visible(staff, document_id)
        if staff.id != row.drafter_id:
            raise Forbidden("only the drafter may submit the document")
        update_id = _update_id(staff, key)
        if row.status != "draft":  # a retried submit gets its recorded answer; any other is a second submit
            state = await self._recorded_outcome(
                row, update_id, refusal=f"the document has already been submitted (it is {row.status})"
            )
            return document_read(row, state.step_views(), state=state)
        settings = self._app.settings
        start = WithStartWorkflowOperation(
            DocumentWorkflow.run,
            DocumentInput(document_id=row.id, drafter_id=row.drafter_id),
            id=workflow_id(row.id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            task_queue=settings.temporal_task_queue,
        )
        call = self._app.temporal.execute_update_with_start_workflow(
            DocumentWorkflow.submit,
            SubmitInput(actor_id=staff.id, facts=facts_of(row)),
            start_workflow_operation=start,
            id=update_id,
            rpc_timeout=_rpc_timeout(settings.action_timeout_seconds),
        )
        try:
            state = await bounded(call, within_seconds=settings.action_timeout_seconds)
        except WorkflowAlreadyStartedError as exc:
            raise Conflict("the document has already been submitted and closed") from exc
        log.info("document.submitted", document_id=row.id, pending=list(state.pending_ids))
        return document_read(row, state.step_views(), state=state)

    async def act(
        self, staff: StaffRow, document_id: str, action: ActionName, comment: str, *, key: str
    ) -> DocumentRead:
        row, _ = await self.visible(staff, document_id)
        if row.status == "draft":
            raise Conflict("the document has not been submitted yet")
        facts = facts_of(row) if action == "resubmit" else None
        request = ActionInput(action=action, actor_id=staff.id, comment=comment, facts=facts)
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id))
        timeout = self._app.settings.action_timeout_seconds
        update_id = _update_id(staff, key)
        try:
            state = await bounded(
                handle.execute_update(DocumentWorkflow.act, request, id=update_id, rpc_timeout=_rpc_timeout(timeout)),
                within_seconds=timeout,
            )
        except WorkflowGone:
            # A closed workflow still answers a retried update with its recorded outcome.
            state = await self._recorded_outcome(
                row, update_id, refusal=f"the document is {row.status}; no further action is possible"
            )
        log.info("document.action_applied", document_id=row.id, action=action, actor_id=staff.id, status=state.status)
        return document_read(row, state.step_views(), state=state)

    async def _recorded_outcome(self, row: DocumentRow, update_id: str, *, refusal: str) -> ChainState:
        """The answer Temporal recorded for ``update_id``; ``refusal`` (409) if there is none."""
        timeout = self._app.settings.action_timeout_seconds
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id)).get_update_handle(
            update_id, result_type=ChainState
        )
        try:
            return await bounded(handle.result(rpc_timeout=_rpc_timeout(timeout)), within_seconds=timeout)
        except WorkflowGone as exc:
            raise Conflict(refusal) from exc


def _update_id(staff: StaffRow, key: str) -> str:
    """Keys are scoped to the caller, so two people's keys never collide."""
    if not key or len(key) > 200 or not key.isprintable():
        raise Invalid("an Idempotency-Key header (1–200 printable characters) is required")
    return f"{staff.id}:{key}"


def _rpc_timeout(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
