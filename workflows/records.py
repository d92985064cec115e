"""The durable shell of the records lifecycle (``domain/records.py``): it feeds the machine the document's events,
carries out the effects it answers (文書番号, 施行, 完結, 廃棄決裁 settlement) as activities, and feeds each outcome
back.  DocumentWorkflow calls it under its transition lock; the workflow keeps running after the chain has finished
until the document is complete.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from domain import records
from domain.errors import ChainError
from schemas.disposal import DisposalSettlement
from schemas.document import ChainState
from schemas.records import (
    CompletionRequest,
    IssuanceInput,
    IssuanceRecord,
    Numbering,
    NumberRequest,
    RecordsState,
)
from workflows.refusals import refusal

with workflow.unsafe.imports_passed_through():
    from activities.disposal import DisposalActivities
    from activities.records import RecordsActivities

#: Records writes are short DB transactions, run as local activities (like the projection).
WRITE_TIMEOUT = timedelta(seconds=10)
WRITE_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5))


class RecordsLifecycle:
    """Holds the document's records state; the workflow calls it under its transition lock."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        self.records = records.Records()

    @property
    def state(self) -> RecordsState:
        return self.records.view

    @property
    def number_display(self) -> str | None:
        return self.records.number_display

    @property
    def completed_at(self) -> datetime | None:
        return self.records.completed_at

    async def at_submit(self, state: ChainState, numbering: Numbering) -> None:
        """起案時採番: take the number with the submission (when the city numbers at drafting)."""
        await self._drive(records.Submitted(chain=state, numbering=numbering))

    async def settle(self, state: ChainState) -> None:
        """After each transition: number a decided document, complete one that needs nothing more."""
        await self._drive(records.Transitioned(chain=state))

    def check_issue(self, state: ChainState | None) -> None:
        """The ``issue`` update's validator: only after the decision, only once, only where issuance is due."""
        try:
            records.check_issue(self.records, state)
        except ChainError as error:
            raise refusal(error) from error

    async def issue(self, state: ChainState, issuance: IssuanceInput) -> RecordsState:
        self.check_issue(state)
        await self._drive(records.IssueRequested(chain=state, issuance=issuance))
        return self.state

    async def _drive(self, event: records.Event) -> None:
        """Apply ``event``, then carry out each effect due, feeding its outcome back (which may call for more)."""
        self.records, due = records.apply(self.records, event, workflow.now())
        while due:
            outcome = await self._carry_out(due.pop(0))
            self.records, more = records.apply(self.records, outcome, workflow.now())
            due = more + due

    async def _carry_out(self, effect: records.Effect) -> records.Event:
        match effect:
            case records.TakeNumber(at=at):
                number = await workflow.execute_local_activity_method(
                    RecordsActivities.assign_number,
                    NumberRequest(document_id=self.document_id, at=at),
                    start_to_close_timeout=WRITE_TIMEOUT,
                    retry_policy=WRITE_RETRY,
                )
                return records.Numbered(number)
            case records.RecordIssuance(issuance=issuance, at=at):
                await workflow.execute_local_activity_method(
                    RecordsActivities.record_issuance,
                    IssuanceRecord(document_id=self.document_id, issuance=issuance, at=at, number=self.records.number),
                    start_to_close_timeout=WRITE_TIMEOUT,
                    retry_policy=WRITE_RETRY,
                )
                return records.Issued(at)
            case records.Complete(cause=cause, at=at, number_at=number_at):
                taken = await workflow.execute_local_activity_method(
                    RecordsActivities.complete_document,
                    CompletionRequest(
                        document_id=self.document_id,
                        completed_at=at,
                        cause=cause,
                        actor_id="system",
                        number_at=number_at,
                    ),
                    start_to_close_timeout=WRITE_TIMEOUT,
                    retry_policy=WRITE_RETRY,
                )
                return records.Completed(at, taken)
            case records.SettleDisposal(status=status, at=at):
                # A normal activity, not a local one: a transfer exports files, which may take a while.
                await workflow.execute_activity_method(
                    DisposalActivities.settle_disposal_review,
                    DisposalSettlement(document_id=self.document_id, status=status, at=at),
                    start_to_close_timeout=timedelta(minutes=10),
                    retry_policy=WRITE_RETRY,
                )
                return records.DisposalSettled()
        raise AssertionError(f"unknown records effect {effect!r}")  # pragma: no cover
