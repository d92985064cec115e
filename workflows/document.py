"""DocumentWorkflow: one 起案文書 from submission to its decision (決裁) or withdrawal (取下げ).

The workflow is the durable shell around the pure chain (``workflows/chain.py``): each human decision arrives
as an update whose validator asks the chain whether it is allowed (refusals never touch history); the handler
applies it, awaits the projection into the read model and audit chain, and returns the new state.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from schemas.document import (
    ActionInput,
    ChainEvent,
    ChainState,
    DocumentInput,
    DocumentResult,
    ProjectionInput,
    RouteRequest,
    SubmitInput,
)
from workflows import chain

with workflow.unsafe.imports_passed_through():
    from activities.projection import ProjectionActivities
    from activities.routing import RouteActivities

#: ApplicationError types the API maps to HTTP statuses.
REFUSAL_TYPES = {"forbidden": "Forbidden", "conflict": "Conflict", "invalid": "Invalid"}


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
        self._lock = asyncio.Lock()  # one transition at a time: validators see a settled state

    @workflow.run
    async def run(self, document: DocumentInput) -> DocumentResult:
        await workflow.wait_condition(lambda: self._state is not None and chain.is_terminal(self._state))
        await workflow.wait_condition(workflow.all_handlers_finished)
        assert self._state is not None
        return DocumentResult(document_id=document.document_id, status=self._state.status)

    @workflow.query
    def state(self) -> ChainState | None:
        return self._state

    @workflow.update
    async def submit(self, request: SubmitInput) -> ChainState:
        """起案 → 回議: resolve the route, then the first stage is pending."""
        async with self._lock:
            self._validate_submit(request)
            route = await workflow.execute_activity_method(
                RouteActivities.resolve_route,
                RouteRequest(
                    document_id=self._document.document_id,
                    drafter_id=self._document.drafter_id,
                    facts=request.facts,
                ),
                start_to_close_timeout=timedelta(seconds=10),
                schedule_to_close_timeout=timedelta(minutes=5),
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
            return await self._commit(state, events)

    @submit.validator
    def _validate_submit(self, request: SubmitInput) -> None:
        if self._state is not None:
            raise ApplicationError("the document has already been submitted", type="Conflict", non_retryable=True)
        if request.actor_id != self._document.drafter_id:
            raise ApplicationError("only the drafter may submit the document", type="Forbidden", non_retryable=True)

    @workflow.update
    async def act(self, action: ActionInput) -> ChainState:
        """承認 / 差戻し / 取下げ / 再提出: one decision, applied once per update id."""
        async with self._lock:
            state = self._require_state()
            try:
                new_state, events = chain.apply(state, action, workflow.now())
            except chain.ChainError as error:
                raise _refusal(error) from error
            return await self._commit(new_state, events)

    @act.validator
    def _validate_act(self, action: ActionInput) -> None:
        try:
            chain.check(self._require_state(), action)
        except chain.ChainError as error:
            raise _refusal(error) from error

    def _require_state(self) -> ChainState:
        if self._state is None:
            raise ApplicationError("the document has not been submitted", type="Conflict", non_retryable=True)
        return self._state

    async def _commit(self, state: ChainState, events: list[ChainEvent]) -> ChainState:
        """Project, then adopt: the state changes only once the read model and audit chain have it."""
        await workflow.execute_local_activity_method(
            ProjectionActivities.project_document,
            ProjectionInput(state=state, events=tuple(events)),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5)
            ),
        )
        self._state = state
        workflow.logger.info("document %s is %s (seq %d)", state.document_id, state.status, state.seq)
        return state
