"""The records lifecycle of one document, driven by DocumentWorkflow: 文書番号 (at submit or at the decision),
施行 (issuance: clean copy, 公印, dispatch) for the documents that need it, and 完結 (completion), which fixes the
completion fiscal year and the retention period.

完結 comes at the decision when no issuance is needed, else at issuance; for a 供覧 when all readers confirmed;
for a rejected or withdrawn document at that point (they are records too).  The workflow keeps running after the
chain has finished until the document is complete.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from domain.statuses import DECIDED, TERMINAL
from schemas.disposal import DISPOSAL_REVIEW_MATTER, DisposalSettlement
from schemas.document import ChainState
from schemas.records import (
    CompletionCause,
    CompletionRequest,
    DocumentNumber,
    IssuanceInput,
    IssuanceRecord,
    Numbering,
    NumberRequest,
    RecordsState,
)

with workflow.unsafe.imports_passed_through():
    from activities.disposal import DisposalActivities
    from activities.records import RecordsActivities

#: Records writes are short DB transactions, run as local activities (like the projection).
WRITE_TIMEOUT = timedelta(seconds=10)
WRITE_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5))


def _conflict(reason: str) -> ApplicationError:
    return ApplicationError(reason, type="Conflict", non_retryable=True)


class RecordsLifecycle:
    """Holds the document's records state; the workflow calls it under its transition lock."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        self.numbering: Numbering = "at_decision"
        self.number: DocumentNumber | None = None
        self.issued_at: datetime | None = None
        self.completed_at: datetime | None = None
        self.disposal_settled = False  # a disposal review's items applied (or released) once it closed

    @property
    def state(self) -> RecordsState:
        return RecordsState(number=self.number, issued_at=self.issued_at, completed_at=self.completed_at)

    @property
    def number_display(self) -> str | None:
        return self.number.display if self.number else None

    async def at_submit(self, state: ChainState, numbering: Numbering) -> None:
        """起案時採番: take the number with the submission (when the city numbers at drafting)."""
        self.numbering = numbering
        if numbering == "at_drafting":
            await self._take_number(state.updated_at)

    async def settle(self, state: ChainState) -> None:
        """After each transition: number a decided document, complete one that needs nothing more."""
        unnumbered = state.status in DECIDED and self.number is None
        if state.facts.matter == DISPOSAL_REVIEW_MATTER and not self.disposal_settled and state.status in TERMINAL:
            await self._settle_disposal(state)
        if self.completed_at is None and state.status in TERMINAL and not self.awaits_issuance(state):
            # One write for both when a decision completes the document at once (no issuance due).
            number_at = state.updated_at if unnumbered else None
            await self._complete(state, self._cause(state), self._completion_time(state), number_at=number_at)
        elif unnumbered:
            await self._take_number(state.updated_at)

    def awaits_issuance(self, state: ChainState) -> bool:
        """施行待ち: decided, needs issuance, not yet issued."""
        return state.status in DECIDED and state.facts.needs_issuance and self.issued_at is None

    def check_issue(self, state: ChainState | None) -> None:
        """The ``issue`` update's validator: only after the decision, only once, only where issuance is due."""
        if state is None or state.status not in DECIDED:
            status = state.status if state else "draft"
            raise _conflict(f"issuance (施行) comes after the decision; the document is {status}")
        if self.issued_at is not None:
            raise _conflict("the document has already been issued (施行済)")
        if not state.facts.needs_issuance:
            raise _conflict("this document does not need issuance (施行不要)")

    async def issue(self, state: ChainState, issuance: IssuanceInput) -> RecordsState:
        if self.number is None:  # decided a moment ago: the run loop has not numbered it yet
            await self._take_number(state.updated_at)
        now = workflow.now()
        await workflow.execute_local_activity_method(
            RecordsActivities.record_issuance,
            IssuanceRecord(document_id=self.document_id, issuance=issuance, at=now, number=self.number),
            start_to_close_timeout=WRITE_TIMEOUT,
            retry_policy=WRITE_RETRY,
        )
        self.issued_at = now
        if state.status in TERMINAL:
            await self._complete(state, "issuance", now)
        return self.state

    def _cause(self, state: ChainState) -> CompletionCause:
        if state.status == "rejected":
            return "rejected"
        if state.status == "withdrawn":
            return "withdrawn"
        if state.status == "completed":
            return "circulation"
        return "issuance" if self.issued_at is not None else "decision"

    def _completion_time(self, state: ChainState) -> datetime:
        if self.issued_at is not None and self.issued_at > state.updated_at:
            return self.issued_at
        return state.updated_at

    async def _take_number(self, at: datetime) -> None:
        self.number = await workflow.execute_local_activity_method(
            RecordsActivities.assign_number,
            NumberRequest(document_id=self.document_id, at=at),
            start_to_close_timeout=WRITE_TIMEOUT,
            retry_policy=WRITE_RETRY,
        )

    async def _settle_disposal(self, state: ChainState) -> None:
        """廃棄決裁 closed: apply each item once (decided) or release the review (rejected / withdrawn).  A normal
        activity, not a local one: a transfer exports files, which may take a while."""
        await workflow.execute_activity_method(
            DisposalActivities.settle_disposal_review,
            DisposalSettlement(document_id=self.document_id, status=state.status, at=state.updated_at),
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=WRITE_RETRY,
        )
        self.disposal_settled = True

    async def _complete(
        self, state: ChainState, cause: CompletionCause, at: datetime, *, number_at: datetime | None = None
    ) -> None:
        number = await workflow.execute_local_activity_method(
            RecordsActivities.complete_document,
            CompletionRequest(
                document_id=self.document_id, completed_at=at, cause=cause, actor_id="system", number_at=number_at
            ),
            start_to_close_timeout=WRITE_TIMEOUT,
            retry_policy=WRITE_RETRY,
        )
        self.completed_at = at
        self.number = number or self.number
