"""DocumentWorkflow: one 起案文書 from submission to its decision (決裁), circulation (供覧), 後閲 and 完結.

The durable shell around the pure rules in ``domain/``: each human decision arrives as an update whose validator
asks the chain whether it is allowed (refusals never touch history); the handler applies it, awaits the projection
(``workflows/projection.py``) and returns the new state.  The run loop settles records, finance and 庶務 postings,
and keeps the current stage's deadlines as durable timers (``workflows/deadlines.py``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain import acting, chain
from domain.consult import goes_one_level_up
from domain.deadlines import DeadlineKind
from domain.transfers import reassign_all
from schemas.document import (
    ActionInput,
    ChainEvent,
    ChainState,
    Deadlines,
    DocumentFinance,
    DocumentInput,
    DocumentResult,
    RouteRequest,
    SubmitInput,
)
from schemas.records import IssuanceInput, RecordsState
from schemas.transfers import ReassignInput
from workflows import projection, routing
from workflows.budget_saga import BudgetSaga
from workflows.deadlines import notify as notify_deadline
from workflows.deadlines import watch as watch_deadlines
from workflows.hr_posting import HrPosting
from workflows.records import RecordsLifecycle
from workflows.refusals import conflict, refused_as_application_error
from workflows.search import DocumentSearch

#: A workflow whose submit was refused waits this long for another before it gives up.
UNSUBMITTED_FOR = timedelta(days=30)


def workflow_id(document_id: str) -> str:
    return f"document:{document_id}"


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
            await watch_deadlines(self._require_state, lambda: self._deadlines, self._fire)
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
            route = await routing.resolve_route(
                RouteRequest(
                    document_id=self._document.document_id, drafter_id=self._document.drafter_id, facts=request.facts
                )
            )
            with refused_as_application_error():
                state, events = chain.submit(
                    document_id=self._document.document_id,
                    drafter_id=self._document.drafter_id,
                    actor_id=request.actor_id,
                    facts=request.facts,
                    route=route,
                    now=workflow.now(),
                )
            await self._budget.reserve(request.facts, seq=state.seq)
            committed = await self._commit(state, events)
            await self._records.at_submit(committed, request.numbering)
            return committed

    @submit.validator
    def _validate_submit(self, request: SubmitInput) -> None:
        if self._state is not None:
            raise conflict("the document has already been submitted")
        with refused_as_application_error():
            acting.check_submitter(
                drafter_id=self._document.drafter_id, actor_id=request.actor_id, drafted_by=request.facts.drafted_by
            )

    @workflow.update
    async def act(self, action: ActionInput) -> ChainState:
        """One human decision (承認, 合議, 差戻し, 引戻し, 代決 …), applied once per update id."""
        async with self._lock:
            state = self._require_state()
            with refused_as_application_error():
                new_state, events = chain.apply(state, action, workflow.now())
            if goes_one_level_up(state, new_state):
                new_state, events = await routing.go_one_level_up(new_state, events)
            if action.action == "resubmit":
                await self._budget.reserve(new_state.facts, seq=new_state.seq)
            return await self._commit(new_state, events)

    @act.validator
    def _validate_act(self, action: ActionInput) -> None:
        with refused_as_application_error():
            chain.check(self._require_state(), action)

    @workflow.update
    async def reassign(self, request: ReassignInput) -> ChainState:
        """人事異動: unanswered steps of those who left their post go to its new holder (no-op if none are left)."""
        async with self._lock:
            state, events = reassign_all(self._require_state(), request, workflow.now())
            return await self._commit(state, events) if events else state

    @workflow.update
    async def issue(self, issuance: IssuanceInput) -> RecordsState:
        """施行: clean copy, 公印 (or 公印省略) and dispatch, once, after the decision; completes the document."""
        async with self._lock:  # the lifecycle checks again under the lock (validators run before it)
            return await self._records.issue(self._require_state(), issuance)

    @issue.validator
    def _validate_issue(self, issuance: IssuanceInput) -> None:
        self._records.check_issue(self._state)

    def _require_state(self) -> ChainState:
        if self._state is None:
            raise conflict("the document has not been submitted")
        return self._state

    async def _commit(self, state: ChainState, events: list[ChainEvent]) -> ChainState:
        """Project, then adopt: the state changes only once the read model and audit chain have it."""
        self._deadlines = await projection.project(state, events, self._budget.finance)
        self._state = state
        self._search.publish(state, self._records.number_display)
        workflow.logger.info("document %s is %s (seq %d)", state.document_id, state.status, state.seq)
        return state

    async def _settle_records(self) -> None:
        async with self._lock:
            await self._records.settle(self._require_state())
            self._budget.document_number = self._records.number_display
            self._search.publish(self._require_state(), self._records.number_display)

    async def _settle_finance(self) -> None:
        async with self._lock:
            if await self._budget.settle(self._require_state()):
                await projection.project_finance(self._document.document_id, self._budget.finance)

    async def _fire(self, kind: DeadlineKind) -> None:
        """督促 or escalation of the current stage, noted on it (nothing if the stage moved on meanwhile)."""
        async with self._lock:
            noted = await notify_deadline(self._require_state(), kind)
            if noted is not None:
                await self._commit(*noted)
