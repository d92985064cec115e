"""Decisions go to the document's workflow: submit (提出), actions, resubmit.  Transport-free.

Every call is bounded by ``action_timeout_seconds`` (then 503, retry with the same Idempotency-Key) and keyed by
the caller's Idempotency-Key, so a retried request is applied once and answered the same.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.api.enums.v1 import EventType
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.deps import AppState
from api.services.clerks import check_may_draft_for
from api.services.documents import DocumentService
from api.services.general_affairs import affair_facts
from api.services.idempotency import idempotent
from api.services.limits import check_limits
from api.services.temporal_calls import WorkflowGone, bounded, not_found
from api.services.views import from_workflow
from core.clock import now_in_japan
from core.errors import Conflict, Forbidden, Invalid, Unavailable
from db.models import DocumentRow, RouteStepRow, StaffRow
from db.repositories.documents import DocumentRepository
from db.repositories.org import OrgRepository
from db.session import release
from domain import acting, chain, records
from integrations.hr import HrNotFound
from integrations.substitution import substitution_facts
from schemas.api.models import ActionCreate, AllowedActions, DocumentRead
from schemas.document import ActionContext, ActionInput, ChainState, DocumentFacts, DocumentInput, SubmitInput
from workflows.document import DocumentWorkflow, workflow_id

log = structlog.get_logger("ringi.decisions")


class DecisionService:
    """Decisions through the request's one session: the document, its visibility and what the chain needs are
    read in one transaction; the connection goes back to the pool while HR and the workflow answer; the answer
    is read once after the update returned (its projection is committed by then)."""

    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session
        self._documents = DocumentService(app, session)

    async def submit(self, staff: StaffRow, document_id: str, *, key: str, today: date) -> DocumentRead:
        actor_post = await self._actor_post(staff, today=today)
        row, steps, _ = await self._documents.read(staff, document_id, with_reviews=False)
        try:
            acting.check_submitter(drafter_id=row.drafter_id, actor_id=staff.id, drafted_by=row.drafted_by)
        except chain.ChainError as exc:
            raise Forbidden(exc.reason) from exc
        if staff.id != row.drafter_id:  # 代理申請: the clerk's right still holds today, for this person
            await check_may_draft_for(self._session, staff.id, row.drafter_id, matter=row.matter, on=today)
        _update_id(staff, key)  # a usable key, or 422 before it is recorded
        async with idempotent(self._session, staff, key, scope=f"document:{row.id}", operation="submit"):
            return await self._submit(staff, row, steps, key=key, today=today, actor_post=actor_post)

    async def _submit(
        self, staff: StaffRow, row: DocumentRow, steps: list[RouteStepRow], *, key: str, today: date, actor_post: str
    ) -> DocumentRead:
        update_id = _update_id(staff, key)
        if row.status == "draft" and row.submitted_at is not None:  # recalled (引戻し): back into routing
            resubmit = ActionCreate(action="resubmit")
            return await self._act_on(staff, row, steps, resubmit, key=key, today=today, actor_post=actor_post)
        if row.status != "draft":  # a retried submit gets its recorded answer; any other is a second submit
            await release(self._session)
            recorded = await self._recorded(row, update_id)
            if recorded is not None:
                return from_workflow(await self._stored(row.id), recorded)
            if await self._engine_submitted(row):
                raise Conflict(f"the document has already been submitted (it is {row.status})")
            # The read model says submitted but the engine holds no submit: the update was lost with its workflow
            # task (Temporal stopped after the handler's local activities had projected it, before the task was
            # acknowledged).  Send it again; the projection of the same step is written once (projected_seq).
            log.warning("document.submit_resent", document_id=row.id, status=row.status)
        settings = self._app.settings
        start = WithStartWorkflowOperation(
            DocumentWorkflow.run,
            DocumentInput(document_id=row.id, drafter_id=row.drafter_id),
            id=workflow_id(row.id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # A closed decision is never reopened; a run that ended unsubmitted (failed) may start again.
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            task_queue=settings.temporal_task_queue,
        )
        facts = await self._facts(row, today=today, at_submit=True)
        await release(self._session)
        call = self._app.temporal.execute_update_with_start_workflow(
            DocumentWorkflow.submit,
            SubmitInput(actor_id=staff.id, facts=facts, numbering=settings.numbering),
            start_workflow_operation=start,
            id=update_id,
            rpc_timeout=self._rpc_timeout,
        )
        try:
            state = await bounded(call, within_seconds=settings.action_timeout_seconds)
        except WorkflowAlreadyStartedError as exc:
            raise Conflict("the document has already been submitted and closed") from exc
        finally:
            _observe_start_outcome(start)
        log.info("document.submitted", document_id=row.id, pending=list(state.pending_ids))
        return from_workflow(await self._stored(row.id), state)

    async def act(
        self, staff: StaffRow, document_id: str, body: ActionCreate, *, key: str, today: date, bulk: bool = False
    ) -> DocumentRead:
        actor_post = await self._actor_post(staff, today=today)
        row, steps, _ = await self._documents.read(staff, document_id, with_reviews=False)
        if body.action == "resubmit" and staff.id != row.drafter_id and row.drafted_by == staff.id:
            # 代理申請: the clerk's right still holds today, for this person (as at submit)
            await check_may_draft_for(self._session, staff.id, row.drafter_id, matter=row.matter, on=today)
        _update_id(staff, key)  # a usable key, or 422 before it is recorded
        async with idempotent(self._session, staff, key, scope=f"document:{row.id}", operation="act", body=body):
            return await self._act_on(staff, row, steps, body, key=key, today=today, actor_post=actor_post, bulk=bulk)

    async def _act_on(
        self,
        staff: StaffRow,
        row: DocumentRow,
        steps: list[RouteStepRow],
        body: ActionCreate,
        *,
        key: str,
        today: date,
        actor_post: str,
        bulk: bool = False,
    ) -> DocumentRead:
        """``body`` on a document ``staff`` may see (checked once, by the caller)."""
        if row.submitted_at is None:
            raise Conflict("the document has not been submitted yet")
        update_id = _update_id(staff, key)
        facts = await self._facts(row, today=today, at_submit=False) if body.action == "resubmit" else None
        await release(self._session)  # nothing held while HR and the workflow answer
        request = ActionInput(
            action=body.action,
            actor_id=staff.id,
            comment=body.comment,
            facts=facts,
            target_step=body.target_step,
            on_behalf_of=body.on_behalf_of,
            context=await self._context(staff, body, steps, today=today, actor_post=actor_post),
            bulk=bulk and body.action == "approve",
        )
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id))
        try:
            state = await bounded(
                handle.execute_update(DocumentWorkflow.act, request, id=update_id, rpc_timeout=self._rpc_timeout),
                within_seconds=self._app.settings.action_timeout_seconds,
            )
        except WorkflowGone:
            # A closed workflow still answers a retried update with its recorded outcome.
            state = await self._recorded_outcome(
                row, update_id, refusal=f"the document is {row.status}; no further action is possible"
            )
        log.info(
            "document.action_applied", document_id=row.id, action=body.action, actor_id=staff.id, status=state.status
        )
        return from_workflow(await self._stored(row.id), state)

    async def _stored(self, document_id: str) -> DocumentRow:
        """The document as stored now: read once, after the update returned (its projection has committed; what
        the workflow settles later is named in ``settling``)."""
        await release(self._session)  # a new transaction: SQLite's snapshot of the first read predates the update
        row = await DocumentRepository(self._session).get(document_id)
        if row is None:
            raise not_found(document_id)
        return row

    async def _actor_post(self, staff: StaffRow, *, today: date) -> str:
        """The actor's post today (the chain checks some actions against it)."""
        me = await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
        return me.post.name if me else ""

    async def _facts(self, row: DocumentRow, *, today: date, at_submit: bool) -> DocumentFacts:
        """The document's facts (the rulebook version pinned at the first submit), with what 庶務 requests need
        checked or counted at submit and resubmit (事前命令, the month's total, the caps, the leave balance)."""
        facts = await self._documents.pinned_facts(row, today=today)
        if facts.details is None:
            return facts
        facts = await affair_facts(self._session, row, facts, now=now_in_japan(), at_submit=at_submit)
        # 上限・休暇の残: refused here, before the workflow reserves, posts or routes anything
        book = await self._app.rulebooks.version(facts.rulebook_version) if facts.rulebook_version else None
        await check_limits(self._app, self._session, row, book, today=today)
        return facts

    async def _context(
        self, staff: StaffRow, body: ActionCreate, steps: list[RouteStepRow], *, today: date, actor_post: str
    ) -> ActionContext:
        """What HR knows today that the chain needs (absences, the 代決順位), with the actor's post."""
        if body.action not in ("pull_up", "substitute", "reject") and body.on_behalf_of is None:
            return ActionContext(actor_post=actor_post)
        try:
            return await self._hr_context(staff, body, steps, today=today, actor_post=actor_post)
        except HrNotFound as exc:
            raise Invalid(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise Unavailable("the HR system (人事給与) is not answering; retry later") from exc

    async def _hr_context(
        self, staff: StaffRow, body: ActionCreate, steps: list[RouteStepRow], *, today: date, actor_post: str
    ) -> ActionContext:
        hr = self._app.hr
        if body.action == "pull_up":
            mine = min((s.stage_index for s in steps if s.assignee_id == staff.id), default=-1)
            earlier = {s.assignee_id for s in steps if s.stage_index < mine and s.state in ("pending", "waiting")}
            absent = [a for a in sorted(earlier) if await hr.is_absent(a, on=today)]
            return ActionContext(absent_ids=tuple(absent), actor_post=actor_post)
        if body.on_behalf_of is None:
            return ActionContext(actor_post=actor_post)
        line = await substitution_facts(hr, await hr.get_staff(body.on_behalf_of, as_of=today), on=today)
        return ActionContext(absent_ids=line.absent_ids, substitutes=line.order, actor_post=actor_post)

    async def allowed(self, staff: StaffRow, document_id: str, *, today: date) -> AllowedActions:
        """What ``staff`` may do with the document now: the chain's own checks, given HR's facts of today.

        The UI draws its buttons from this and integrators read it at ``GET /v1/documents/{id}/actions/allowed``;
        the workflow's update validator still decides each action when it arrives.
        """
        actor_post = await self._actor_post(staff, today=today)
        row, steps, _ = await self._documents.read(staff, document_id, with_reviews=False)
        return await self.allowed_on(staff, row, steps, today=today, actor_post=actor_post)

    async def allowed_on(
        self,
        staff: StaffRow,
        row: DocumentRow,
        steps: list[RouteStepRow],
        *,
        today: date,
        actor_post: str | None = None,
    ) -> AllowedActions:
        """``allowed`` for a document the caller has already checked ``staff`` may see (one check a request)."""
        can_edit = acting.may_edit(
            drafter_id=row.drafter_id, actor_id=staff.id, status=row.status, drafted_by=row.drafted_by
        )
        if row.submitted_at is None:
            can_submit = acting.may_submit(
                drafter_id=row.drafter_id, actor_id=staff.id, status=row.status, drafted_by=row.drafted_by
            )
            return AllowedActions(can_submit=can_submit, can_edit=can_edit)
        if actor_post is None:
            actor_post = await self._actor_post(staff, today=today)
        can_issue = await self._may_issue(staff, row, today=today)
        await release(self._session)
        state = await self._chain_state(row)
        if state is None:
            return AllowedActions(can_edit=can_edit, can_issue=can_issue)
        context = await self._allowed_context(staff, state, steps, today=today, actor_post=actor_post)
        actions = chain.allowed_actions(state, staff.id, context)
        return AllowedActions(actions=actions, can_edit=can_edit, can_issue=can_issue)

    async def _may_issue(self, staff: StaffRow, row: DocumentRow, *, today: date) -> bool:
        """施行 is offered while it is due, to whom ``records.may_issue`` lets carry it out."""
        if not records.issuance_due(
            status=row.status, needs_issuance=row.needs_issuance, issued=row.issued_at is not None
        ):
            return False
        me = (
            None
            if staff.is_admin or staff.id == row.drafter_id
            else await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
        )
        unit = me.org_unit.code if me is not None else None
        return records.may_issue(
            staff.id, row.drafter_id, is_admin=staff.is_admin, actor_unit=unit, document_unit=row.org_unit_code
        )

    async def _chain_state(self, row: DocumentRow) -> ChainState | None:
        """The chain as the workflow holds it (its validators check against this very state)."""
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id))
        try:
            return await bounded(
                handle.query(DocumentWorkflow.state, rpc_timeout=self._rpc_timeout),
                within_seconds=self._app.settings.action_timeout_seconds,
            )
        except WorkflowGone:
            return None

    async def _allowed_context(
        self, staff: StaffRow, state: ChainState, steps: list[RouteStepRow], *, today: date, actor_post: str
    ) -> ActionContext:
        """HR's facts, looked up only when 引上げ承認 or 代決 could be open to this person."""
        if state.status != "in_review" or state.current is None or staff.id in state.pending_ids:
            return ActionContext()
        stage = state.stages[state.current]
        later = any(staff.id in s.assignee_ids for s in state.stages[state.current + 1 :])
        probe = None
        if later:
            probe = ActionCreate(action="pull_up")
        elif stage.kind == "decide" and stage.pending_ids:
            probe = ActionCreate(action="substitute", on_behalf_of=stage.pending_ids[0])
        if probe is None:
            return ActionContext()
        try:
            return await self._context(staff, probe, steps, today=today, actor_post=actor_post)
        except (Invalid, Unavailable) as exc:
            log.warning("document.allowed_actions_without_hr", document_id=state.document_id, error=exc.detail)
            return ActionContext()

    async def _recorded(self, row: DocumentRow, update_id: str) -> ChainState | None:
        """The answer Temporal recorded for ``update_id``; None if it holds none (no such update or workflow)."""
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id)).get_update_handle(
            update_id, result_type=ChainState
        )
        try:
            return await bounded(
                handle.result(rpc_timeout=self._rpc_timeout), within_seconds=self._app.settings.action_timeout_seconds
            )
        except WorkflowGone:
            return None

    async def _engine_submitted(self, row: DocumentRow) -> bool:
        """Whether the workflow's history holds an accepted submit (False: no workflow, or none accepted).

        The history, not a query: a worker whose cache still holds the lost update's state would answer a query
        with it (found by bench/chaos.py), while the server's history holds only what was acknowledged."""
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id))
        try:
            history = await bounded(
                handle.fetch_history(rpc_timeout=self._rpc_timeout),
                within_seconds=self._app.settings.action_timeout_seconds,
            )
        except WorkflowGone:
            return False
        return any(
            event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            and event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name == "submit"
            for event in history.events
        )

    async def _recorded_outcome(self, row: DocumentRow, update_id: str, *, refusal: str) -> ChainState:
        """The answer Temporal recorded for ``update_id``; ``refusal`` (409) if there is none."""
        state = await self._recorded(row, update_id)
        if state is None:
            raise Conflict(refusal)
        return state

    @property
    def _rpc_timeout(self) -> timedelta:
        return timedelta(seconds=self._app.settings.action_timeout_seconds)


def _observe_start_outcome(start: WithStartWorkflowOperation[Any, Any]) -> None:
    """The start half of update-with-start holds its own outcome; when we gave up waiting (503) nobody reads it,
    and asyncio would log "Future exception was never retrieved".  Read it when it arrives."""
    outcome = start._workflow_handle  # temporalio keeps it private; there is no public non-blocking accessor
    outcome.add_done_callback(lambda done: None if done.cancelled() else done.exception())


def _update_id(staff: StaffRow, key: str) -> str:
    """Keys are scoped to the caller, so two people's keys never collide."""
    if not key or len(key) > 200 or not key.isprintable():
        raise Invalid("an Idempotency-Key header (1–200 printable characters) is required")
    return f"{staff.id}:{key}"
