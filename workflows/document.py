"""DocumentWorkflow: one 起案文書 from submission to its decision (決裁), circulation (供覧) and 後閲.

The workflow is the durable shell around the pure chain (``domain/chain.py``): each human decision arrives
as an update whose validator asks the chain whether it is allowed (refusals never touch history); the handler
applies it, awaits the projection into the read model and audit chain, and returns the new state.  The run
loop keeps the current stage's deadlines as durable timers: a reminder (督促) to the assignees, then an
escalation to their superiors, counted in business days.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from domain import acting, chain
from schemas.document import (
    ActionInput,
    ChainEvent,
    ChainState,
    DeadlineNotice,
    Deadlines,
    DocumentFinance,
    DocumentInput,
    DocumentResult,
    FinanceProjection,
    ProjectionInput,
    Route,
    RouteRequest,
    SubmitInput,
)
from schemas.records import IssuanceInput, RecordsState
from schemas.transfers import ReassignInput
from workflows.budget_saga import BudgetSaga
from workflows.hr_posting import HrPosting
from workflows.records import RecordsLifecycle
from workflows.search import DocumentSearch

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities
    from activities.projection import ProjectionActivities
    from activities.routing import RouteActivities

#: ApplicationError types the API maps to HTTP statuses.
REFUSAL_TYPES = {"forbidden": "Forbidden", "conflict": "Conflict", "invalid": "Invalid"}
#: A workflow whose submit was refused waits this long for another before it gives up.
UNSUBMITTED_FOR = timedelta(days=30)
StageKey = tuple[str, int | None, datetime | None]


def workflow_id(document_id: str) -> str:
    return f"document:{document_id}"


def _refusal(error: chain.ChainError) -> ApplicationError:
    return ApplicationError(error.reason, type=REFUSAL_TYPES[error.kind], non_retryable=True)


@workflow.defn
class DocumentWorkflow:
    @workflow.init
    def __init__(self, document: DocumentInput) -> None:
        self._document = document
        self._state: ChainState | None = None
        self._deadlines = Deadlines()
        self._budget = BudgetSaga(document.document_id)
        self._hr_posting = HrPosting(document.document_id)
        self._records = RecordsLifecycle(document.document_id)
        self._search = DocumentSearch()  # 検索属性 for operators
        self._lock = asyncio.Lock()  # one transition at a time: validators see a settled state

    @workflow.run
    async def run(self, document: DocumentInput) -> DocumentResult:
        try:
            await workflow.wait_condition(lambda: self._state is not None, timeout=UNSUBMITTED_FOR)
        except TimeoutError:
            # A submit the rules or the budget refused, then abandoned.  Failing (not completing) the run lets
            # a later submit start afresh (id reuse policy ALLOW_DUPLICATE_FAILED_ONLY).
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._state is None:
                raise ApplicationError("never submitted", type="NeverSubmitted", non_retryable=True) from None
        while True:
            await self._settle_records()
            await self._settle_finance()
            await self._hr_posting.settle(self._require_state())  # 庶務 requests, once decided
            if chain.is_finished(self._require_state()) and self._budget.finance.state != "reserved":
                if self._records.completed_at is not None:
                    break
                await workflow.wait_condition(lambda: self._records.completed_at is not None)  # 施行待ち
                continue
            await self._watch_deadlines()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return DocumentResult(document_id=document.document_id, status=self._require_state().status)

    @workflow.query
    def state(self) -> ChainState | None:
        return self._state

    @workflow.query
    def deadlines(self) -> Deadlines:
        return self._deadlines

    @workflow.query
    def finance(self) -> DocumentFinance:
        return self._budget.finance

    @workflow.query
    def records(self) -> RecordsState:
        return self._records.state

    @workflow.update
    async def submit(self, request: SubmitInput) -> ChainState:
        """起案 → 回議: resolve the route, then the first stage is pending."""
        async with self._lock:
            self._validate_submit(request)
            route = await self._resolve_route(
                RouteRequest(
                    document_id=self._document.document_id, drafter_id=self._document.drafter_id, facts=request.facts
                )
            )
            try:
                state, events = chain.submit(
                    document_id=self._document.document_id,
                    drafter_id=self._document.drafter_id,
                    actor_id=request.actor_id,
                    facts=request.facts,
                    route=route,
                    now=workflow.now(),
                )
            except chain.ChainError as error:
                raise _refusal(error) from error
            await self._budget.reserve(request.facts, seq=state.seq)
            committed = await self._commit(state, events)
            await self._records.at_submit(committed, request.numbering)
            return committed

    @submit.validator
    def _validate_submit(self, request: SubmitInput) -> None:
        if self._state is not None:
            raise ApplicationError("the document has already been submitted", type="Conflict", non_retryable=True)
        try:
            acting.check_drafter(
                drafter_id=self._document.drafter_id, actor_id=request.actor_id, to="submit the document"
            )
        except chain.ChainError as error:
            raise _refusal(error) from error

    @workflow.update
    async def act(self, action: ActionInput) -> ChainState:
        """One human decision (承認, 合議, 差戻し, 引戻し, 代決 …), applied once per update id."""
        async with self._lock:
            state = self._require_state()
            try:
                new_state, events = chain.apply(state, action, workflow.now())
            except chain.ChainError as error:
                raise _refusal(error) from error
            if new_state.consult_failed and not state.consult_failed and new_state.status == "in_review":
                new_state, events = await self._go_one_level_up(new_state, events)
            if action.action == "resubmit":
                await self._budget.reserve(new_state.facts, seq=new_state.seq)
            return await self._commit(new_state, events)

    @act.validator
    def _validate_act(self, action: ActionInput) -> None:
        try:
            chain.check(self._require_state(), action)
        except chain.ChainError as error:
            raise _refusal(error) from error

    @workflow.update
    async def reassign(self, request: ReassignInput) -> ChainState:
        """人事異動: unanswered steps of those who left their post go to its new holder (no-op if none are left)."""
        async with self._lock:
            state = self._require_state()
            events: list[ChainEvent] = []
            for move in request.moves:
                state, more = chain.reassign(
                    state, move.old_id, move.new_id, workflow.now(), reason=request.reason, post=move.new_post
                )
                events += more
            return await self._commit(state, events) if events else state

    @workflow.update
    async def issue(self, issuance: IssuanceInput) -> RecordsState:
        """施行: clean copy, 公印 (or 公印省略) and dispatch, once, after the decision; completes the document."""
        async with self._lock:
            self._validate_issue(issuance)
            return await self._records.issue(self._require_state(), issuance)

    @issue.validator
    def _validate_issue(self, issuance: IssuanceInput) -> None:
        self._records.check_issue(self._state)

    def _require_state(self) -> ChainState:
        if self._state is None:
            raise ApplicationError("the document has not been submitted", type="Conflict", non_retryable=True)
        return self._state

    async def _resolve_route(self, request: RouteRequest) -> Route:
        # A few HR look-ups: a local activity, so a submit costs no extra round trips through the server.
        return await workflow.execute_local_activity_method(
            RouteActivities.resolve_route,
            request,
            start_to_close_timeout=timedelta(seconds=10),
            schedule_to_close_timeout=timedelta(minutes=5),
        )

    async def _go_one_level_up(
        self, state: ChainState, events: list[ChainEvent]
    ) -> tuple[ChainState, list[ChainEvent]]:
        """合議不調: the decision moves one level up; the stages after the 合議 are resolved again."""
        route = await self._resolve_route(
            RouteRequest(document_id=state.document_id, drafter_id=state.drafter_id, facts=state.facts, escalate=True)
        )
        tail = chain.escalation_tail(state, route)
        state, more = chain.reroute(
            state, tail, workflow.now(), reason="合議不調のため一段上位で決裁", after=chain.failed_consult(state)
        )
        return state, [*events, *more]

    async def _commit(self, state: ChainState, events: list[ChainEvent]) -> ChainState:
        """Project, then adopt: the state changes only once the read model and audit chain have it."""
        self._deadlines = await workflow.execute_local_activity_method(
            ProjectionActivities.project_document,
            ProjectionInput(state=state, events=tuple(events), finance=self._budget.finance),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5)
            ),
        )
        self._state = state
        self._search.publish(state, self._records.number_display)
        workflow.logger.info("document %s is %s (seq %d)", state.document_id, state.status, state.seq)
        return state

    async def _settle_records(self) -> None:
        async with self._lock:
            await self._records.settle(self._require_state())
            self._budget.document_number = self._records.number_display
            self._search.publish(self._require_state(), self._records.number_display)

    # --- finance -----------------------------------------------------------------------------------------------

    async def _settle_finance(self) -> None:
        async with self._lock:
            if await self._budget.settle(self._require_state()):
                await workflow.execute_local_activity_method(
                    ProjectionActivities.project_finance,
                    FinanceProjection(document_id=self._document.document_id, finance=self._budget.finance),
                    start_to_close_timeout=timedelta(seconds=10),
                )

    # --- deadlines -------------------------------------------------------------------------------------------

    def _stage_key(self) -> StageKey:
        state = self._require_state()
        since = state.stages[state.current].became_current_at if state.current is not None else None
        return state.status, state.current, since

    def _next_due(self) -> tuple[str, datetime] | None:
        state = self._require_state()
        if state.current is None or not state.pending_ids:
            return None
        stage = state.stages[state.current]
        if stage.reminded_at is None and self._deadlines.remind_at is not None:
            return "remind", self._deadlines.remind_at
        if stage.escalated_at is None and self._deadlines.escalate_at is not None:
            return "escalate", self._deadlines.escalate_at
        return None

    async def _watch_deadlines(self) -> None:
        """Wait for the stage to change or, if it does not in time, fire its next deadline."""
        key = self._stage_key()

        def moved() -> bool:
            return self._stage_key() != key or chain.is_finished(self._require_state())

        due = self._next_due()
        if due is None:
            await workflow.wait_condition(moved)
            return
        kind, at = due
        try:
            await workflow.wait_condition(moved, timeout=max(at - workflow.now(), timedelta(0)))
        except TimeoutError:
            await self._fire(kind)

    async def _fire(self, kind: str) -> None:
        async with self._lock:
            state = self._require_state()
            if state.current is None or not state.pending_ids:
                return
            stage = state.stages[state.current]
            assert stage.became_current_at is not None
            await workflow.execute_activity_method(
                NotificationActivities.notify_deadline,
                DeadlineNotice(
                    document_id=state.document_id,
                    kind="remind" if kind == "remind" else "escalate",
                    stage_index=state.current,
                    stage_since=stage.became_current_at,
                    assignee_ids=state.pending_ids,
                ),
                start_to_close_timeout=timedelta(seconds=30),
            )
            new_state, events = chain.note_deadline(
                state, "remind" if kind == "remind" else "escalate", state.current, workflow.now()
            )
            await self._commit(new_state, events)
